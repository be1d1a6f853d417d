#pragma once

#include "arguments.h"

#include "azid/result.h"
#include "azid/tokencredential.h"

#include <QProcessEnvironment>

#include <memory>

namespace azid::cli {

// The credential `token --credential KIND` names (every azure.identity credential but the signed-in
// account and the shared token cache), configured as azure.identity configures it: from its
// environment variables, with --tenant, --client-id, --authority, --ca-bundle and
// --disable-instance-discovery on top. Secrets come only from the environment or files.
Result<std::shared_ptr<TokenCredential>> makeServiceCredential(const Arguments &arguments,
                                                               const QProcessEnvironment &environment);

// The kinds makeServiceCredential knows.
QStringList serviceCredentialKinds();

} // namespace azid::cli
