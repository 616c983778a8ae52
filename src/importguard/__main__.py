from importguard.commands.cli import run

run()
