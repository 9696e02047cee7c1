/** The task queue the worker polls for workflows and activities. A code constant, not a setting, so gateway and worker cannot disagree. */
export const TASK_QUEUE = 'herald';
