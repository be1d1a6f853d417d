#pragma once

#include "azid/result.h"
#include "azid/secret.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPair>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <optional>

class QTcpServer;
class QTcpSocket;
class QUrlQuery;

namespace azid::model {

class AccountService;
namespace detail {
struct EndpointAnswer;
struct RequestHead;
} // namespace detail

// Where the endpoint listens, as azid-cli's `--managed-identity-endpoint [ADDR:]PORT` says it.
struct EndpointAddress
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 0; // 0: any free port

    bool isLoopback() const { return address.isLoopback(); }
};
// "PORT", "ADDR:PORT" or "[IPV6]:PORT"; ADDR is an IP address, never a host name.
[[nodiscard]] Result<EndpointAddress> parseEndpointAddress(const QString &text);

// A subnet that may call the endpoint when it is bound beyond loopback ("172.17.0.0/16").
using PeerSubnet = QPair<QHostAddress, int>;

struct ManagedIdentityEndpointOptions
{
    EndpointAddress listen;
    // The accounts served (AccountEntry::id() or user names). The first answers requests that name no
    // identity; a request may name another by client_id, object_id, principal_id or mi_res_id (its user
    // name, home account id, object id or client id). Empty: the default account, whichever it is at
    // the time of a request.
    QStringList accountIds;
    // The scopes (".default" form) or resources that may be asked for; empty: any.
    QStringList allowedScopes;
    // Bound beyond loopback: the peers that may call besides loopback ones. Empty: the subnet of the
    // bound address's interface (none for an any-address bind, which then serves loopback peers only).
    QList<PeerSubnet> allowedPeers;
    // The rate limit, a token bucket over every request: `burst` at once, refilled at `perSecond`.
    int burst = 20;
    double perSecond = 10.0;
    qsizetype maxRequestBytes = 8 * 1024;        // request line and headers
    std::chrono::milliseconds readTimeout{5000}; // for a whole request to arrive
    int maxConnections = 32;                     // beyond: the oldest waiting connection is dropped
    int recentRequestsKept = 200;
};

// One request the endpoint answered, for a log and the tray's recent-requests view. Never a token.
struct ServedRequest
{
    QDateTime time;
    int status = 0;
    QString error;     // the error code answered; empty when a token was served
    QString scope;     // empty when the request was refused before it named one
    QString accountId; // the account that answered, when one was chosen
    QString username;
    QHostAddress peer;
    quint16 peerPort = 0;
    qint64 pid = 0;  // the calling process when the kernel tells (same user, loopback); 0: unknown
    QString program; // its executable, when known

    bool served() const { return status == 200; }
};

// A local managed-identity endpoint speaking Azure App Service's protocol (api-version 2019-08-01), so
// that any Azure SDK's ManagedIdentityCredential and DefaultAzureCredential gets a chosen account's
// tokens with IDENTITY_ENDPOINT and IDENTITY_HEADER set: `GET /msi/token?api-version=2019-08-01&
// resource=R` with the header X-IDENTITY-HEADER, answered with the token of `R/.default` from
// AccountService::token().
//
// Its rules: a random secret per start (32 bytes from the system's CSPRNG), compared in constant time;
// 127.0.0.1 unless another address is asked for (then isExposed() and warning()); on a loopback bind,
// only loopback peers; an optional allow-list of scopes; a token bucket answering 429 with Retry-After;
// caps on request size, connections and the time a request may take to arrive. Each answered request is
// logged without its token and reported by requestServed(); recentRequests() keeps the last ones. The
// tray app and `azid-cli agent` host it the same way: construct, start(), show url() and secret().
class ManagedIdentityEndpoint : public QObject
{
    Q_OBJECT
public:
    static constexpr QLatin1StringView ApiVersion{"2019-08-01"};
    static constexpr QLatin1StringView TokenPath{"/msi/token"};
    static constexpr QLatin1StringView SecretHeader{"X-IDENTITY-HEADER"};
    static constexpr int SecretBytes = 32;

    explicit ManagedIdentityEndpoint(AccountService &accounts, QObject *parent = nullptr);
    ~ManagedIdentityEndpoint() override;

    // Listens with a new secret; an error when the address cannot be bound or the options cannot work.
    [[nodiscard]] VoidResult start(const ManagedIdentityEndpointOptions &options);
    // Stops listening and drops open connections; the secret is forgotten.
    void stop();
    bool isListening() const;

    // IDENTITY_ENDPOINT: http://ADDR:PORT/msi/token (127.0.0.1 for an any-address bind).
    QUrl url() const;
    // IDENTITY_HEADER.
    const Secret &secret() const { return m_secret; }
    // Bound beyond loopback: other machines or containers can reach it. warning() says so for a person.
    bool isExposed() const;
    QString warning() const;

    ManagedIdentityEndpointOptions options() const { return m_options; }
    // Take effect with the next request.
    void setAccounts(const QStringList &accountIds) { m_options.accountIds = accountIds; }
    void setAllowedScopes(const QStringList &scopes) { m_options.allowedScopes = scopes; }

    // The last requests answered, oldest first.
    QList<ServedRequest> recentRequests() const { return m_recent; }

    // Whether a peer may call an endpoint bound to `bound`: loopback peers always; others only when the
    // bind is not loopback and the peer is in one of `allowed`.
    static bool isPeerAllowed(const QHostAddress &peer, const QHostAddress &bound,
                              const QList<PeerSubnet> &allowed);
    // The token scope a resource parameter asks for: "<resource>/.default", or the parameter itself
    // when it is already a ".default" scope.
    static QString scopeForResource(const QString &resource);

signals:
    void requestServed(const azid::model::ServedRequest &request);

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void handle(QTcpSocket *socket, const QByteArray &head);
    // Why a request that arrived whole is not served, if it is not.
    std::optional<detail::EndpointAnswer> refusal(const std::optional<detail::RequestHead> &request,
                                                  const QUrl &target, const QUrlQuery &query) const;
    void serveToken(QTcpSocket *socket, ServedRequest record, const QString &resource,
                    const QString &accountId);
    void answer(QTcpSocket *socket, const detail::EndpointAnswer &reply, ServedRequest record);
    void dropOldestConnection();
    // Takes a token from the bucket; when there is none, the seconds until there is one.
    std::optional<int> refusedByRateLimit();
    Result<QString> chooseAccount(const QUrlQuery &query) const;
    QList<PeerSubnet> effectivePeers() const;
    void remember(ServedRequest record);

    AccountService &m_accounts;
    ManagedIdentityEndpointOptions m_options;
    QTcpServer *m_server = nullptr;
    Secret m_secret;
    QList<ServedRequest> m_recent;
    QList<QTcpSocket *> m_waiting; // connections whose request has not fully arrived, oldest first
    double m_bucket = 0;
    qint64 m_bucketFilledAtMs = 0;
    QElapsedTimer m_clock;
};

} // namespace azid::model

Q_DECLARE_METATYPE(azid::model::ServedRequest)
