#pragma once

#include "azid/model/agentprotocol.h"

#include <QString>

#include <optional>

namespace azid::cli {

// Asks the agent of `profile` (azid-cli agent, or the tray app) over its socket and waits for the final
// answer, saying on stderr when the agent waits for the person to sign in. Nothing when no agent runs
// there, when it refuses the connection or stops answering, or when it cannot answer the request
// (Answer::Type::Unavailable): the caller then does the work itself, as without an agent.
std::optional<model::agent::Answer> askAgent(const QString &profile, const model::agent::Request &request);

} // namespace azid::cli
