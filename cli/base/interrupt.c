// SPDX-License-Identifier: GPL-2.0
/* Ctrl-C as a flag: see interrupt.h. */
#include <string.h>
#include "base/interrupt.h"

volatile sig_atomic_t mapsh_interrupted;

static void on_signal(int sig)
{
	mapsh_interrupted = sig;
}

void interrupt_catch(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: blocking calls see EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void interrupt_release(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}
