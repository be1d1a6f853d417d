#pragma once

#include "arguments.h"

#include "azid/errors.h"

namespace azid::cli {

class Profile;

// Runs the parsed command; returns the process's exit code.
int run(const Arguments &arguments);

// One unit per command, each over the account model (ui/model) and the profile's storage. Each
// returns the exit code.
int login(const Arguments &arguments, Profile &profile);    // logincommand.cpp
int token(const Arguments &arguments, Profile &profile);    // tokencommand.cpp
int accounts(const Arguments &arguments, Profile &profile); // accountscommand.cpp

// Prints the error as --output asks, and returns its exit code.
int fail(const AuthError &error, const Arguments &arguments);

} // namespace azid::cli
