#pragma once

#include "azid/accesstoken.h"
#include "azid/developertooloptions.h"
#include "azid/result.h"

#include <QFuture>
#include <QList>
#include <QString>

#include <memory>

namespace azid::model {

// Who is signed in to a developer tool on this machine, as the tray app shows it.
struct DeveloperToolIdentity
{
    enum class Tool { AzureCli, AzureDeveloperCli, AzurePowerShell };
    enum class State {
        SignedIn,     // the tool gave a token; account and tenantId say whose, when the token names it
        NotSignedIn,  // the tool is installed but gave no token; detail says what it answered
        NotInstalled, // no such program on the tools' PATH
    };

    Tool tool = Tool::AzureCli;
    State state = State::NotInstalled;
    QString account;  // the token's upn, unique_name or preferred_username (an app: its appid)
    QString tenantId; // the token's tid
    QString detail;   // why it is not signed in, for a person

    static QString toolName(Tool tool); // "Azure CLI", "Azure Developer CLI", "Azure PowerShell"
};

// The identities of Azure CLI (az), Azure Developer CLI (azd) and Azure PowerShell (pwsh) on this
// machine, found and used through the library's AzureCliCredential, AzureDeveloperCliCredential and
// AzurePowerShellCredential, which run the tools (never through a shell). A tool is signed in when it
// gives a token for Azure Resource Manager; whose it is comes from that token's claims, decoded
// offline. Use it from one thread (the tools' processes report through its event loop).
class DeveloperToolIdentities
{
public:
    // `options`: the tools' environment (PATH), timeout and process runner; default: this process's.
    explicit DeveloperToolIdentities(DeveloperToolOptions options = {});
    ~DeveloperToolIdentities();
    DeveloperToolIdentities(const DeveloperToolIdentities &) = delete;
    DeveloperToolIdentities &operator=(const DeveloperToolIdentities &) = delete;

    static QList<DeveloperToolIdentity::Tool> tools();
    // Each tool's identity, in the order of tools(); the tools run one after another. Keep this
    // object until the future has finished.
    QFuture<QList<DeveloperToolIdentity>> detect();
    QFuture<DeveloperToolIdentity> detect(DeveloperToolIdentity::Tool tool);
    // A token for `scope` from the tool.
    QFuture<Result<AccessToken>> token(DeveloperToolIdentity::Tool tool, const QString &scope);

private:
    struct State;
    std::shared_ptr<State> m_state;
};

} // namespace azid::model
