"""The task vocabulary every layer shares: the two tasks and the baseline model's name."""

from typing import Literal

Task = Literal["classification", "regression"]
TASKS: tuple[Task, ...] = ("classification", "regression")

#: The trivial model every trained model is compared with, registered for each task.
BASELINE = "dummy"
