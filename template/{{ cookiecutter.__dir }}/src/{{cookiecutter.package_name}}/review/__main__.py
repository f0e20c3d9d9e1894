"""`python -m <package>.review`: the review command alone, without the pipeline's imports."""

import typer

from ..commands.review import register

app = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False)
register(app)

if __name__ == "__main__":
    app()
