"""Tasks (待办/已办): routed by authority, acted on by posts, with an append-only history."""

from pharmreg.workflow.jobs import apply_due_authority_changes
from pharmreg.workflow.schemas import HistoryRead, TaskRead, TaskSeed
from pharmreg.workflow.service import (
    Permission,
    TaskConflictError,
    claim_task,
    complete_task,
    count_open_tasks,
    create_task,
    done_list,
    get_task,
    may_act,
    release_held_tasks,
    release_task,
    reroute_open_tasks,
    task_history,
    task_permission,
    tasks_depending_on,
    todo_list,
    visible_to,
)

__all__ = [
    "HistoryRead",
    "Permission",
    "TaskConflictError",
    "TaskRead",
    "TaskSeed",
    "apply_due_authority_changes",
    "claim_task",
    "complete_task",
    "count_open_tasks",
    "create_task",
    "done_list",
    "get_task",
    "may_act",
    "release_held_tasks",
    "release_task",
    "reroute_open_tasks",
    "task_history",
    "task_permission",
    "tasks_depending_on",
    "todo_list",
    "visible_to",
]
