"""The IG5xx codes, one per contract type: their documentation, as ``importguard explain`` prints
it and SARIF carries it. They are reported by ``importguard.contracts.check``, not by rule classes:
a contract checks the whole graph against a configuration, so the examples live in
``docs/contracts.md`` and the tests rather than in ``VALID``/``INVALID`` lists."""
from __future__ import annotations

import inspect
from typing import ClassVar, Dict, Tuple


class ContractCode:
    code: ClassVar[str]
    name: ClassVar[str]
    type: ClassVar[str]
    scope: ClassVar[str] = "repo"
    default_enabled: ClassVar[bool] = True
    VALID: ClassVar[Tuple] = ()
    INVALID: ClassVar[Tuple] = ()

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "") + "\n\n" + _COMMON


_COMMON = """## Fix safety
Advice only: which import should go, or which way a dependency should point, is a design decision.
Except when the contract sets `exclude-type-checking = true` and the first import of the chain is
only used in annotations: then the fix is IG200's (unsafe), moving it under `if TYPE_CHECKING:`.
Silence one finding with `# noqa: IGxxx` on the import, a known chain with the contract's
`ignore-imports`, or every finding of today with a baseline.

See docs/contracts.md for every contract type and option."""


class ForbiddenImport(ContractCode):
    """A `forbidden` contract is broken: a source module imports a forbidden module.

    ## What it does
    Checks that the modules in `source-modules` (and their submodules) never import those in
    `forbidden-modules`, directly or through a chain of imports (unless
    `allow-indirect-imports = true`). A forbidden module may be an external package (`requests`).
    One finding per illegal chain, at the import that starts it; the message and the JSON `chain`
    hold every link with its line.

    ## Why it matters
    A package that must stay free of a dependency (a domain model without a web framework, a
    library core without an optional extra) loses that freedom with one import anywhere in the chain.

    ## Example
    ```toml
    [[tool.importguard.contracts]]
    name = "the domain does not know the web"
    type = "forbidden"
    source-modules = ["shop.domain"]
    forbidden-modules = ["shop.web", "django"]
    ```

    ## Fix
    Remove the first import of the chain, or an import further along it (the message names them
    all), or invert the dependency (pass the function in, register a callback)."""

    code = "IG500"
    name = "forbidden-import"
    type = "forbidden"


class LayerViolation(ContractCode):
    """A `layers` contract is broken: a lower layer imports a higher one.

    ## What it does
    Layers are listed from the highest to the lowest; a layer may import the layers below it, never
    those above. Siblings in one entry separated by `|` may not import each other; separated by `:`
    they may. With `containers`, the layers repeat inside each container. A chain that passes
    through another layer is reported for that layer only. With `exhaustive = true`, every child of a
    container must be a layer (or in `exhaustive-ignores`): each one that is not is a finding at the
    top of its file.

    ## Why it matters
    Layers keep dependencies flowing one way, so each layer can be understood, tested and replaced
    without the ones above it. One upward import ties the whole stack together.

    ## Example
    ```toml
    [[tool.importguard.contracts]]
    name = "layers"
    type = "layers"
    layers = ["shop.web", "shop.api | shop.cli", "shop.domain"]
    ```

    ## Fix
    Move the imported code down into the lower layer, or invert the dependency."""

    code = "IG501"
    name = "layer-violation"
    type = "layers"


class DependentModules(ContractCode):
    """An `independence` contract is broken: two modules that must be independent import each other.

    ## What it does
    Checks that none of the modules in `modules` imports another one of them (or a submodule of
    it), directly or through modules outside the set.

    ## Why it matters
    Independent packages (plugins, backends, bounded contexts) can be changed, removed or split
    out one at a time.

    ## Example
    ```toml
    [[tool.importguard.contracts]]
    name = "backends are independent"
    type = "independence"
    modules = ["shop.backends.*"]
    ```

    ## Fix
    Move what both need into a module they may both import, outside the set."""

    code = "IG502"
    name = "dependent-modules"
    type = "independence"


class ProtectedImport(ContractCode):
    """A `protected` contract is broken: a module outside `allowed-importers` imports a protected module directly.

    ## What it does
    Checks that only the modules in `allowed-importers` (and their submodules, unless
    `as-packages = false`) import the modules in `protected-modules` directly; the protected
    package's own modules may import each other. Indirect imports are allowed.

    ## Why it matters
    A package reached through one front door (a repository over the ORM, a client over an HTTP
    library) can change behind it.

    ## Example
    ```toml
    [[tool.importguard.contracts]]
    name = "only the repository touches the database"
    type = "protected"
    protected-modules = ["shop.db"]
    allowed-importers = ["shop.repository"]
    ```

    ## Fix
    Go through an allowed importer."""

    code = "IG503"
    name = "protected-import"
    type = "protected"


class SiblingCycle(ContractCode):
    """An `acyclic-siblings` contract is broken: the children of a package depend on each other in a cycle.

    ## What it does
    For each package in `ancestors` and its subpackages down to `depth` (default 10, except those in
    `skip-descendants`), treats each child package as one node and looks for cycles between them. It
    reports the imports whose removal would leave the children acyclic, chosen as import-linter
    chooses them: the children are ordered (sources first, sinks last, the rest by how much more
    they import than they are imported) and each import that points back in that order is reported.

    ## Why it matters
    Children that depend on each other in a cycle cannot be understood or moved one at a time.

    ## Example
    ```toml
    [[tool.importguard.contracts]]
    name = "no cycles between the subpackages"
    type = "acyclic-siblings"
    ancestors = ["shop"]
    ```

    ## Fix
    Remove or invert the reported imports."""

    code = "IG504"
    name = "sibling-cycle"
    type = "acyclic-siblings"


CONTRACT_CODES = (ForbiddenImport, LayerViolation, DependentModules, ProtectedImport, SiblingCycle)


def by_code() -> Dict[str, type]:
    return {c.code: c for c in CONTRACT_CODES}
