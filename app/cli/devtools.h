#pragma once

#include "arguments.h"

#include <QStringList>

namespace azid::cli {

class Profile;

// The developer tools' own protocols, each over accountToken() (commands.h), so that they get their
// tokens as `azid-cli token` does: through the agent when one runs, else from storage.

// kubectl-credential: a kubectl exec credential plugin (kubectlcredential.cpp).
int kubectlCredential(const Arguments &arguments, Profile &profile);

// git-credential: a git credential helper for Azure DevOps (gitcredential.cpp). As
// git-credential-azid, azid-cli is this command.
int gitCredential(const Arguments &arguments, Profile &profile);
inline constexpr char GitCredentialProgram[] = "git-credential-azid";

// The az shim: `az account get-access-token` and `az account show` from Azid's accounts, for the
// Azure SDKs' AzureCliCredential (azshim.cpp). Run when azid-cli is started under the name "az";
// takes the whole command line, argv[0] included.
int azShim(const QStringList &argv);
inline constexpr char AzShimProgram[] = "az";

} // namespace azid::cli
