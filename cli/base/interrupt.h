/* SPDX-License-Identifier: GPL-2.0 */
/* Ctrl-C for long-running commands (dump, follow, drain, watch, ...).
 *
 * In the interactive shell Ctrl-C must stop the running command and return
 * to the prompt, not kill the process. The shell installs a SIGINT handler
 * (interrupt_catch()) that only sets mapsh_interrupted; the handler is
 * installed without SA_RESTART, so a blocking read(), poll() or
 * epoll_wait() returns -1 with errno EINTR.
 *
 * Rules for command handlers:
 *   - poll interrupted() in every loop that can run for long (once per
 *     batch of records is enough) and on EINTR; when it is true, flush what
 *     was already printed, clean up and return normally (EXIT_OK for a
 *     follow that the user stopped, like `tail -f`);
 *   - never install a SIGINT handler of your own, and never exit(): call
 *     interrupt_catch() if the command wants Ctrl-C as a clean stop in
 *     one-shot mode too (follow), then poll interrupted() as above;
 *   - do not clear the flag: whoever runs the command (the shell, the batch
 *     runner) clears it with interrupt_clear() before the next one.
 * SIGTERM is caught the same way by interrupt_catch(). */
#ifndef MAPSH_INTERRUPT_H
#define MAPSH_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>

/* 0, or the number of the signal that arrived (SIGINT, SIGTERM). */
extern volatile sig_atomic_t mapsh_interrupted;

static inline bool interrupted(void)
{
	return mapsh_interrupted != 0;
}

/* Catch SIGINT and SIGTERM into mapsh_interrupted (idempotent, no
 * SA_RESTART). */
void interrupt_catch(void);
/* Back to the default dispositions (a second Ctrl-C kills again). */
void interrupt_release(void);
static inline void interrupt_clear(void)
{
	mapsh_interrupted = 0;
}

#endif
