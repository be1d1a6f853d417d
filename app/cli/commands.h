#pragma once

#include "arguments.h"

namespace azid::cli {

// Runs the parsed command; returns the process's exit code.
int run(const Arguments &arguments);

} // namespace azid::cli
