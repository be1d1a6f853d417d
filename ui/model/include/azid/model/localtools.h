#pragma once

#include "azid/model/managedidentityendpoint.h"
#include "azid/model/tokenagent.h"
#include "azid/result.h"

#include <QDateTime>
#include <QHostAddress>
#include <QObject>
#include <QStringList>

#include <map>
#include <memory>

namespace azid::model {

class AccountService;

// One request a local program made, to the agent or to a managed-identity endpoint. Never a token.
struct LocalToolRequest
{
    enum class Channel {
        Agent,           // azid-cli, its kubectl and git helpers, the az shim
        ManagedIdentity, // an Azure SDK through IDENTITY_ENDPOINT
    };
    QDateTime time;
    Channel channel = Channel::Agent;
    QString scope;     // the scopes asked for, space-separated
    QString accountId; // the account that answered, when one was chosen
    QString username;
    qint64 pid = 0;  // the caller, when the kernel tells
    QString program; // its program name, when known
    bool served = false;
    QString error; // why not, when not served
};

// What the tray app serves to the same user's programs while it runs:
// - the agent (TokenAgent) on the profile's socket, for azid-cli and the tools that use it;
// - for each account the person chose ("Serve to local tools"), a managed-identity endpoint on
//   127.0.0.1 (ManagedIdentityEndpoint) with a port and a secret made at each start.
// The choice of accounts is kept in the settings (AppSettings::servedAccounts()), so the endpoints start
// again with the app; removing an account stops its endpoint. The last requests of both are kept for
// the recent-requests view.
class LocalTools : public QObject
{
    Q_OBJECT
public:
    static constexpr int RecentRequestsKept = 200;

    // `profile` names the agent's socket, as azid-cli's --profile does. The host then serves the
    // accounts chosen before (AppSettings::servedAccounts()) with serve().
    LocalTools(AccountService &accounts, const QString &profile, QObject *parent = nullptr);
    ~LocalTools() override;

    // Starts the agent. An error when it cannot listen (most often: `azid-cli agent` or another Azid
    // already serves this profile, and then callers are served anyway).
    [[nodiscard]] VoidResult startAgent();
    TokenAgent &agent() { return *m_agent; }

    // The accounts with an endpoint, and their endpoints' addresses.
    QStringList servedAccounts() const;
    bool isServing(const QString &accountId) const;
    // Starts a managed-identity endpoint for the account (on a free loopback port); an error when it
    // cannot listen. Serving an account that is served already changes nothing.
    [[nodiscard]] VoidResult serve(const QString &accountId);
    void stopServing(const QString &accountId);
    // What a shell needs to use the account's endpoint: "export IDENTITY_ENDPOINT=…" and
    // "export IDENTITY_HEADER=…" lines. It holds the endpoint's secret: give it only to the person's
    // clipboard, marked secret. Empty when the account is not served.
    QString shellEnvironment(const QString &accountId) const;

    // The last requests of the agent and of every endpoint, oldest first.
    QList<LocalToolRequest> recentRequests() const { return m_recent; }

signals:
    void requestServed(const azid::model::LocalToolRequest &request);
    // An endpoint started or stopped: the settings keep servedAccounts() from here.
    void servingChanged(const QString &accountId, bool serving);

private:
    void onAgentRequest(const AgentRequestRecord &record);
    void onEndpointRequest(const ServedRequest &request);
    void remember(const LocalToolRequest &request);
    void stopRemovedAccounts();
    QString usernameOf(const QString &accountId) const;

    AccountService &m_accounts;
    std::unique_ptr<TokenAgent> m_agent;
    std::map<QString, std::unique_ptr<ManagedIdentityEndpoint>> m_endpoints; // by account id
    QList<LocalToolRequest> m_recent;
};

} // namespace azid::model

Q_DECLARE_METATYPE(azid::model::LocalToolRequest)
