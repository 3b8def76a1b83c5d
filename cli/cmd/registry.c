// SPDX-License-Identifier: GPL-2.0
/* The command tables, filled by main(): see registry.h. */
#include "cmd/registry.h"

struct cmd_tables cmd_tables;
