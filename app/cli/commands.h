#pragma once

#include "arguments.h"

#include "azid/errors.h"
#include "azid/tokencredential.h"

namespace azid::cli {

class Profile;

// Runs the parsed command; returns the process's exit code.
int run(const Arguments &arguments);

// One unit per command, each over the account model (ui/model) and the profile's storage. Each
// returns the exit code.
int login(const Arguments &arguments, Profile &profile);    // logincommand.cpp
int token(const Arguments &arguments, Profile &profile);    // tokencommand.cpp
int accounts(const Arguments &arguments, Profile &profile); // accountscommand.cpp
// The agent in the foreground until SIGTERM or SIGINT, and what its managed-identity endpoint is
// (agentcommand.cpp).
int agent(const Arguments &arguments);
int env(const Arguments &arguments);

// The token of the selected signed-in account for the arguments' scopes, claims, tenant and CAE
// choice, refreshed and saved as needed (tokencommand.cpp). Every command that hands out an
// account's token gets it here, so they all behave alike.
[[nodiscard]] TokenResult accountToken(const Arguments &arguments, Profile &profile);

// Prints the error as --output asks, and returns its exit code.
int fail(const AuthError &error, const Arguments &arguments);

} // namespace azid::cli
