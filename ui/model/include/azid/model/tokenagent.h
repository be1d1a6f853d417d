#pragma once

#include "azid/keychain/accountstore.h"
#include "azid/model/agentprotocol.h"
#include "azid/result.h"
#include "azid/secret.h"
#include "azid/tokencredential.h"

#include <QDateTime>
#include <QFuture>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

class QLocalServer;
class QLocalSocket;

namespace azid::model {

class AccountService;

namespace detail {
class AgentConnection;
class StepUpWait;
} // namespace detail

// Who asked the agent for what, for the log and the tray's recent-requests view. Never a token.
struct AgentRequestRecord
{
    QDateTime time;
    QString operation; // "token" or "env"
    QStringList scopes;
    QString accountId; // the home account id served, when an account was chosen
    qint64 pid = 0;    // the caller, as the kernel tells (SO_PEERCRED); 0 when unknown
    QString program;   // its program name (/proc/<pid>/comm), when readable
    bool served = false;
    QString errorKind; // when not served
};

// The agent: serves tokens of the accounts of one profile's AccountService to the same user's programs
// (azid-cli, its kubectl and git helpers) over a Unix socket, agent::socketPath(profile), in a folder of
// mode 0700. Every connection's peer uid is checked (SO_PEERCRED): another user's is closed at once.
// Requests are answered by AccountService::token(), so from the model's caches and refreshed through
// the model; nothing comes from the keychain while it is locked, only what is already in memory.
//
// The tray app hosts one, and so does `azid-cli agent`. The host decides what happens when a request
// needs the person (setStepUpHandler()); without a handler the caller gets the AuthenticationRequired
// error.
class TokenAgent : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString profile; // whose socket; empty: the default profile
        int maxConnections = 64;
        qsizetype maxRequestBytes = agent::MaxRequestBytes;
        // A connection that sends no complete request for this long is closed.
        std::chrono::milliseconds idleTimeout{10000};
        // How long a caller waits for a step-up sign-in at most.
        std::chrono::milliseconds stepUpTimeout{std::chrono::minutes(5)};
    };

    TokenAgent(AccountService &service, Options options, QObject *parent = nullptr);
    ~TokenAgent() override;

    // Creates the socket folder (mode 0700) and listens. Fails when another agent serves the profile,
    // or when the folder is not the user's own with mode 0700.
    [[nodiscard]] VoidResult listen();
    void close();
    bool isListening() const;
    QString socketPath() const { return agent::socketPath(m_options.profile); }
    int connectionCount() const { return int(m_connections.size()); }

    // What `azid-cli env` prints: the managed-identity endpoint (IDENTITY_ENDPOINT) and its secret
    // header (IDENTITY_HEADER) that serve `accountId`'s tokens (empty: the agent's account). The
    // endpoint itself is another class; whoever starts it tells the agent here.
    void setManagedIdentityEndpoint(const QUrl &url, const Secret &secret, const QString &accountId = {});
    void clearManagedIdentityEndpoint(const QString &accountId = {});

    // A request that needs the person (AuthenticationRequired: an expired sign-in, a claims challenge).
    struct StepUp
    {
        QString accountId;
        QString username;
        QStringList scopes;
        QString claims;
        qint64 pid = 0;
        QString program;
    };
    // Shows the person what is asked (the tray: a notification, then the sign-in dialog) and finishes
    // when the sign-in is over (an error when it failed or was dismissed). The waiting callers then get
    // a token (the request is made again) or the original error. One step-up per account runs at a
    // time; callers that need the same account meanwhile wait for it too.
    using StepUpHandler = std::function<QFuture<VoidResult>(const StepUp &)>;
    void setStepUpHandler(StepUpHandler handler);

signals:
    // Every request answered (tokens and env), never with token text.
    void requestServed(const azid::model::AgentRequestRecord &record);
    // A connection closed at once: another user's, or one over the connection limit.
    void connectionRefused(const QString &why);

private:
    friend class detail::AgentConnection;
    void acceptConnections();
    bool admit(QLocalSocket *socket);
    void serve(detail::AgentConnection *connection, const agent::Request &request);
    void serveToken(QPointer<detail::AgentConnection> connection, const agent::TokenQuery &query,
                    const StoredAccount &account);
    void serveEnvironment(detail::AgentConnection *connection, const QString &selector,
                          const Result<StoredAccount> &chosen);
    void answerToken(QPointer<detail::AgentConnection> connection, const agent::TokenQuery &query,
                     const StoredAccount &account, const TokenResult &result, bool afterStepUp);
    void startStepUp(QPointer<detail::AgentConnection> connection, const agent::TokenQuery &query,
                     const StoredAccount &account, const AuthError &error);
    // Runs `then` with the service's accounts, loaded again first when another process changed them.
    void withCurrentAccounts(std::function<void(const QList<StoredAccount> &)> then,
                             bool forceReload = false);
    void record(detail::AgentConnection *connection, const QString &operation, const QStringList &scopes,
                const QString &accountId, const std::optional<AuthError> &error);

    AccountService &m_service;
    Options m_options;
    std::unique_ptr<QLocalServer> m_server;
    QList<detail::AgentConnection *> m_connections;
    struct Endpoint
    {
        QUrl url;
        Secret secret;
    };
    QHash<QString, Endpoint> m_endpoints;
    StepUpHandler m_stepUpHandler;
    QHash<QString, detail::StepUpWait *> m_stepUps; // by account id
    qint64 m_accountsStamp = -1;                    // the account list's lock file when last loaded
    bool m_reloading = false;
    QList<std::function<void()>> m_afterReload;
    qint64 m_lastRefusalLog = 0;
};

} // namespace azid::model

Q_DECLARE_METATYPE(azid::model::AgentRequestRecord)
