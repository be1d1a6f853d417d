#include "azid/model/managedidentityendpoint.h"

#include "azid/model/accountservice.h"
#include "azid/model/whenready.h"
#include "peerprocess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkInterface>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>

#include <array>
#include <cmath>

namespace azid::model {

namespace detail {

// The request line and the secret headers of an HTTP/1.x request.
struct RequestHead
{
    QByteArray method;
    QByteArray target;
    QList<QByteArray> secretHeaders; // every X-IDENTITY-HEADER value sent
};

// An answer to a request: status, JSON body, and a Retry-After in seconds (0: none).
struct EndpointAnswer
{
    int status = 200;
    QByteArray body;
    int retryAfter = 0;
    QString error;

    static EndpointAnswer failure(int status, const QString &error, const QString &description,
                                  int retryAfter = 0)
    {
        // App Service's own errors carry statusCode and message; the SDKs read error and
        // error_description (MSAL reads message first), so the answer has all four.
        const QJsonObject body{{QStringLiteral("statusCode"), status},
                               {QStringLiteral("message"), description},
                               {QStringLiteral("error"), error},
                               {QStringLiteral("error_description"), description}};
        return {status, QJsonDocument(body).toJson(QJsonDocument::Compact), retryAfter, error};
    }
};

} // namespace detail

namespace {

// Every request the endpoint answers, without its token: azid-cli agent keeps this category's info
// messages in its log when it hides the rest of the model's.
Q_LOGGING_CATEGORY(lcEndpoint, "azid.model.endpoint", QtInfoMsg)

using detail::RequestHead;
using Answer = detail::EndpointAnswer;

// The parameters by which the reference clients name a user-assigned identity on App Service.
const QStringList IdentityParameters = {QStringLiteral("client_id"), QStringLiteral("object_id"),
                                        QStringLiteral("principal_id"), QStringLiteral("mi_res_id")};
const char *const DefaultScopeSuffix = "/.default";

std::optional<RequestHead> parseRequestHead(const QByteArray &head)
{
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1."))
        return std::nullopt;
    RequestHead request{requestLine[0], requestLine[1], {}};
    const QByteArray secretName = QByteArray(ManagedIdentityEndpoint::SecretHeader.data()).toLower();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon <= 0)
            continue;
        if (lines[i].left(colon).trimmed().toLower() == secretName)
            request.secretHeaders << lines[i].mid(colon + 1).trimmed();
    }
    return request;
}

QString newSecret()
{
    std::array<quint32, ManagedIdentityEndpoint::SecretBytes / sizeof(quint32)> words{};
    QRandomGenerator::system()->fillRange(words.data(), qsizetype(words.size()));
    QByteArray bytes(reinterpret_cast<const char *>(words.data()), qsizetype(sizeof words));
    const QString text =
        QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    scrub(bytes);
    words.fill(0);
    return text;
}

ServedRequest arrivedFrom(const QTcpSocket *socket)
{
    ServedRequest record;
    record.time = QDateTime::currentDateTimeUtc();
    record.peer = socket->peerAddress();
    record.peerPort = socket->peerPort();
    return record;
}

// How a failed token request is answered, as App Service answers its own failures: the SDKs treat a
// JSON error as "managed identity unavailable" (a chain moves on) or as failed; 503 is retried.
Answer tokenFailure(const AuthError &error)
{
    if (error.kind == ErrorKind::AuthenticationRequired) {
        return Answer::failure(400, QStringLiteral("interaction_required"),
                               QStringLiteral("The account needs a sign-in in Azid: %1").arg(error.message));
    }
    switch (error.reason) {
    case ErrorReason::Storage:
    case ErrorReason::Transport:
    case ErrorReason::Timeout:
    case ErrorReason::Proxy:
        return Answer::failure(503, QStringLiteral("temporarily_unavailable"), error.message);
    default:
        break;
    }
    const QString code =
        error.oauthError.isEmpty() ? QStringLiteral("authentication_failed") : error.oauthError;
    return Answer::failure(error.isUnavailable() ? 400 : 401, code, error.message);
}

QByteArray reasonPhrase(int status)
{
    static const QHash<int, QByteArray> phrases{{200, "OK"},
                                                {400, "Bad Request"},
                                                {401, "Unauthorized"},
                                                {403, "Forbidden"},
                                                {404, "Not Found"},
                                                {405, "Method Not Allowed"},
                                                {429, "Too Many Requests"},
                                                {431, "Request Header Fields Too Large"},
                                                {503, "Service Unavailable"}};
    return phrases.value(status, "Error");
}

} // namespace

Result<EndpointAddress> parseEndpointAddress(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    QString host = colon < 0 ? QString() : text.left(colon);
    const QString portText = text.mid(colon + 1);
    bool isNumber = false;
    const uint port = portText.toUInt(&isNumber);
    if (!isNumber || port > 65535) {
        return AuthError::configuration(
            QStringLiteral("'%1' is not [ADDR:]PORT: the port must be a number from 0 to 65535.").arg(text));
    }
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    EndpointAddress address;
    address.port = quint16(port);
    if (!host.isEmpty() && !address.address.setAddress(host)) {
        return AuthError::configuration(
            QStringLiteral("'%1' is not an IP address; give the address to listen on as digits.").arg(host));
    }
    return address;
}

ManagedIdentityEndpoint::ManagedIdentityEndpoint(AccountService &accounts, QObject *parent)
    : QObject(parent), m_accounts(accounts)
{
    qRegisterMetaType<ServedRequest>();
    m_clock.start();
}

ManagedIdentityEndpoint::~ManagedIdentityEndpoint()
{
    stop();
}

VoidResult ManagedIdentityEndpoint::start(const ManagedIdentityEndpointOptions &options)
{
    stop();
    if (options.burst < 1 || options.perSecond <= 0 || options.maxConnections < 1 ||
        options.maxRequestBytes < 256)
        return AuthError::configuration(
            QStringLiteral("The managed identity endpoint's limits cannot work."));
    m_options = options;
    m_server = new QTcpServer(this);
    m_server->setMaxPendingConnections(options.maxConnections);
    connect(m_server, &QTcpServer::newConnection, this, &ManagedIdentityEndpoint::onNewConnection);
    if (!m_server->listen(options.listen.address, options.listen.port)) {
        const QString why = m_server->errorString();
        delete m_server;
        m_server = nullptr;
        return AuthError::configuration(
            QStringLiteral("The managed identity endpoint cannot listen on %1:%2: %3")
                .arg(options.listen.address.toString())
                .arg(options.listen.port)
                .arg(why));
    }
    m_secret = Secret::fromString(newSecret());
    m_bucket = options.burst;
    m_bucketFilledAtMs = m_clock.elapsed();
    qCInfo(lcEndpoint).noquote() << "managed identity endpoint listening on" << url().toString();
    if (isExposed())
        qCInfo(lcEndpoint).noquote() << warning(); // the host shows it to the person
    return Done{};
}

void ManagedIdentityEndpoint::stop()
{
    if (!m_server)
        return;
    m_server->close();
    for (QTcpSocket *socket : m_server->findChildren<QTcpSocket *>())
        socket->abort();
    delete m_server; // and its connections
    m_server = nullptr;
    m_waiting.clear();
    m_secret.clear();
    qCInfo(lcEndpoint) << "managed identity endpoint stopped";
}

bool ManagedIdentityEndpoint::isListening() const
{
    return m_server && m_server->isListening();
}

QUrl ManagedIdentityEndpoint::url() const
{
    if (!isListening())
        return {};
    QHostAddress host = m_server->serverAddress();
    if (host == QHostAddress::Any || host == QHostAddress::AnyIPv4)
        host = QHostAddress(QHostAddress::LocalHost);
    else if (host == QHostAddress::AnyIPv6)
        host = QHostAddress(QHostAddress::LocalHostIPv6);
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(host.toString());
    url.setPort(m_server->serverPort());
    url.setPath(TokenPath);
    return url;
}

bool ManagedIdentityEndpoint::isExposed() const
{
    return isListening() && !m_options.listen.isLoopback();
}

QString ManagedIdentityEndpoint::warning() const
{
    if (!isExposed())
        return {};
    return QStringLiteral("The managed identity endpoint listens on %1, not only on this machine's loopback: "
                          "any program that can reach that address and knows the secret gets tokens of the "
                          "accounts it serves.")
        .arg(m_options.listen.address.toString());
}

bool ManagedIdentityEndpoint::isPeerAllowed(const QHostAddress &peer, const QHostAddress &bound,
                                            const QList<PeerSubnet> &allowed)
{
    if (peer.isLoopback())
        return true;
    if (bound.isLoopback())
        return false;
    bool isIpv4 = false;
    const quint32 ipv4 = peer.toIPv4Address(&isIpv4);
    const QHostAddress plain = isIpv4 ? QHostAddress(ipv4) : peer;
    for (const PeerSubnet &subnet : allowed) {
        if (plain.isInSubnet(subnet))
            return true;
    }
    return false;
}

QString ManagedIdentityEndpoint::scopeForResource(const QString &resource)
{
    if (resource.endsWith(QLatin1String(DefaultScopeSuffix)))
        return resource;
    return resource + QLatin1String(DefaultScopeSuffix);
}

QList<PeerSubnet> ManagedIdentityEndpoint::effectivePeers() const
{
    if (!m_options.allowedPeers.isEmpty() || m_options.listen.isLoopback())
        return m_options.allowedPeers;
    // Bound to one address (a container bridge): its own subnet.
    for (const QNetworkInterface &interface : QNetworkInterface::allInterfaces()) {
        for (const QNetworkAddressEntry &entry : interface.addressEntries()) {
            if (entry.ip() == m_options.listen.address)
                return {PeerSubnet(entry.ip(), entry.prefixLength())};
        }
    }
    return {};
}

void ManagedIdentityEndpoint::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (m_server->findChildren<QTcpSocket *>().size() > m_options.maxConnections)
            dropOldestConnection();
        m_waiting << socket;
        connect(socket, &QTcpSocket::readyRead, this, [this, socket]() { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QObject::destroyed, this, [this, socket]() { m_waiting.removeOne(socket); });
        QTimer::singleShot(m_options.readTimeout, socket, [this, socket]() {
            if (m_waiting.contains(socket)) {
                qCDebug(lcEndpoint) << "managed identity endpoint: a request did not arrive in time";
                m_waiting.removeOne(socket);
                socket->abort();
            }
        });
    }
}

void ManagedIdentityEndpoint::dropOldestConnection()
{
    if (m_waiting.isEmpty())
        return;
    QTcpSocket *oldest = m_waiting.takeFirst();
    qCDebug(lcEndpoint)
        << "managed identity endpoint: too many connections, the oldest waiting one is dropped";
    oldest->abort();
}

void ManagedIdentityEndpoint::onReadyRead(QTcpSocket *socket)
{
    if (!m_waiting.contains(socket)) {
        socket->readAll(); // one request per connection; whatever follows is ignored
        return;
    }
    QByteArray buffer = socket->property("azidRequest").toByteArray() + socket->readAll();
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0 && buffer.size() <= m_options.maxRequestBytes) {
        socket->setProperty("azidRequest", buffer);
        return;
    }
    m_waiting.removeOne(socket);
    socket->setProperty("azidRequest", QVariant());
    if (end < 0 || end > m_options.maxRequestBytes) {
        answer(socket,
               Answer::failure(431, QStringLiteral("invalid_request"),
                               QStringLiteral("The request is too large.")),
               arrivedFrom(socket));
        return;
    }
    handle(socket, buffer.left(end));
}

std::optional<int> ManagedIdentityEndpoint::refusedByRateLimit()
{
    const qint64 now = m_clock.elapsed();
    m_bucket = std::min<double>(m_options.burst,
                                m_bucket + double(now - m_bucketFilledAtMs) / 1000.0 * m_options.perSecond);
    m_bucketFilledAtMs = now;
    if (m_bucket >= 1.0) {
        m_bucket -= 1.0;
        return std::nullopt;
    }
    return std::max(1, int(std::ceil((1.0 - m_bucket) / m_options.perSecond)));
}

Result<QString> ManagedIdentityEndpoint::chooseAccount(const QUrlQuery &query) const
{
    QList<AccountEntry> served;
    if (m_options.accountIds.isEmpty()) {
        if (const auto account = m_accounts.defaultAccount())
            served << *account;
    }
    const QList<AccountEntry> accounts = m_accounts.accounts();
    for (const QString &wanted : m_options.accountIds) {
        const auto found =
            std::find_if(accounts.begin(), accounts.end(), [&wanted](const AccountEntry &entry) {
                return entry.id() == wanted ||
                       entry.record().username.compare(wanted, Qt::CaseInsensitive) == 0;
            });
        if (found != accounts.end())
            served << *found;
    }
    if (served.isEmpty()) {
        return AuthError::unavailable(QStringLiteral(
            "No signed-in account is served here: sign in with Azid, or choose an account to serve."));
    }
    for (const QString &parameter : IdentityParameters) {
        const QString wanted = query.queryItemValue(parameter, QUrl::FullyDecoded);
        if (wanted.isEmpty())
            continue;
        for (const AccountEntry &entry : served) {
            const AuthenticationRecord &record = entry.record();
            if (wanted.compare(record.username, Qt::CaseInsensitive) == 0 || wanted == record.homeAccountId ||
                wanted == record.homeAccountId.section(QLatin1Char('.'), 0, 0) || wanted == record.clientId)
                return entry.id();
        }
        return AuthError::unavailable(
            QStringLiteral("Identity not found: no account served here matches %1=%2.")
                .arg(parameter, wanted));
    }
    return served.first().id();
}

void ManagedIdentityEndpoint::handle(QTcpSocket *socket, const QByteArray &head)
{
    ServedRequest record = arrivedFrom(socket);
    if (!isPeerAllowed(record.peer, m_options.listen.address, effectivePeers())) {
        answer(socket,
               Answer::failure(
                   403, QStringLiteral("access_denied"),
                   QStringLiteral("Requests from %1 are not served here.").arg(record.peer.toString())),
               record);
        return;
    }
    if (const auto retryAfter = refusedByRateLimit()) {
        answer(socket,
               Answer::failure(429, QStringLiteral("too_many_requests"),
                               QStringLiteral("Too many requests; try again in %1 s.").arg(*retryAfter),
                               *retryAfter),
               record);
        return;
    }
    const detail::PeerProcess process =
        detail::findPeerProcess(record.peer, record.peerPort, socket->localAddress(), socket->localPort());
    record.pid = process.pid;
    record.program = process.program;

    const std::optional<RequestHead> request = parseRequestHead(head);
    const QUrl target(QStringLiteral("http://localhost") +
                      QString::fromLatin1(request ? request->target : ""));
    const QUrlQuery query(target);
    if (const std::optional<Answer> refused = refusal(request, target, query)) {
        answer(socket, *refused, record);
        return;
    }
    const QString resource = query.queryItemValue(QStringLiteral("resource"), QUrl::FullyDecoded);
    record.scope = scopeForResource(resource);
    const QStringList allowed = m_options.allowedScopes;
    const bool scopeAllowed =
        allowed.isEmpty() || std::any_of(allowed.begin(), allowed.end(), [&](const QString &s) {
            return scopeForResource(s) == record.scope;
        });
    if (!scopeAllowed) {
        answer(socket,
               Answer::failure(
                   403, QStringLiteral("invalid_scope"),
                   QStringLiteral("%1 is not among the scopes this endpoint serves.").arg(record.scope)),
               record);
        return;
    }
    if (!m_accounts.isLoaded()) {
        answer(socket,
               Answer::failure(503, QStringLiteral("temporarily_unavailable"),
                               QStringLiteral("Azid is still reading its accounts; try again."), 1),
               record);
        return;
    }
    const Result<QString> account = chooseAccount(query);
    if (!account.ok()) {
        answer(socket, Answer::failure(400, QStringLiteral("invalid_request"), account.error().message),
               record);
        return;
    }
    serveToken(socket, record, resource, account.value());
}

std::optional<Answer> ManagedIdentityEndpoint::refusal(const std::optional<RequestHead> &request,
                                                       const QUrl &target, const QUrlQuery &query) const
{
    if (!request || !target.isValid())
        return Answer::failure(400, QStringLiteral("invalid_request"),
                               QStringLiteral("Not an HTTP request."));
    if (request->method != "GET")
        return Answer::failure(405, QStringLiteral("invalid_request"), QStringLiteral("Only GET is served."));
    if (target.path() != TokenPath)
        return Answer::failure(404, QStringLiteral("invalid_request"),
                               QStringLiteral("Nothing is served there."));
    if (request->secretHeaders.size() != 1) {
        return Answer::failure(400, QStringLiteral("invalid_request"),
                               QStringLiteral("The request needs one %1 header.").arg(SecretHeader));
    }
    if (!(Secret(request->secretHeaders.first()) == m_secret)) {
        return Answer::failure(
            401, QStringLiteral("unauthorized_client"),
            QStringLiteral("The %1 header is not this endpoint's secret.").arg(SecretHeader));
    }
    if (query.queryItemValue(QStringLiteral("api-version")) != ApiVersion) {
        return Answer::failure(400, QStringLiteral("invalid_request"),
                               QStringLiteral("api-version must be %1.").arg(ApiVersion));
    }
    const QStringList resources = query.allQueryItemValues(QStringLiteral("resource"), QUrl::FullyDecoded);
    if (resources.size() != 1 || resources.first().isEmpty())
        return Answer::failure(400, QStringLiteral("invalid_request"),
                               QStringLiteral("One resource is required."));
    return std::nullopt;
}

void ManagedIdentityEndpoint::serveToken(QTcpSocket *socket, ServedRequest record, const QString &resource,
                                         const QString &accountId)
{
    const std::optional<AccountEntry> entry = m_accounts.account(accountId);
    record.accountId = accountId;
    record.username = entry ? entry->record().username : QString();
    const QString clientId = entry ? entry->record().clientId : QString();
    whenReady(m_accounts.token(accountId, {record.scope}), socket,
              [this, socket, record, resource, clientId](const TokenResult &token) {
                  if (!token.ok()) {
                      answer(socket, tokenFailure(token.error()), record);
                      return;
                  }
                  // App Service gives expires_on as a string of epoch seconds.
                  QJsonObject body{{QStringLiteral("access_token"), token.value().token.revealString()},
                                   {QStringLiteral("expires_on"), QString::number(token.value().expiresOn)},
                                   {QStringLiteral("resource"), resource},
                                   {QStringLiteral("token_type"), token.value().tokenType},
                                   {QStringLiteral("client_id"), clientId}};
                  Answer served;
                  served.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
                  body = {};
                  answer(socket, served, record);
                  scrub(served.body);
              });
}

void ManagedIdentityEndpoint::answer(QTcpSocket *socket, const Answer &reply, ServedRequest record)
{
    QByteArray response = "HTTP/1.1 " + QByteArray::number(reply.status) + ' ' + reasonPhrase(reply.status) +
                          "\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store"
                          "\r\nConnection: close\r\nContent-Length: " +
                          QByteArray::number(reply.body.size()) + "\r\n";
    if (reply.retryAfter > 0)
        response += "Retry-After: " + QByteArray::number(reply.retryAfter) + "\r\n";
    response += "\r\n" + reply.body;
    socket->write(response);
    scrub(response);
    socket->disconnectFromHost();
    record.status = reply.status;
    record.error = reply.error;
    remember(record);
}

void ManagedIdentityEndpoint::remember(ServedRequest record)
{
    const QString caller = record.pid
                               ? QStringLiteral("%1 (pid %2)").arg(record.program).arg(record.pid)
                               : QStringLiteral("an unknown program at %1").arg(record.peer.toString());
    if (record.served()) {
        qCInfo(lcEndpoint).noquote() << "managed identity endpoint: served a token for" << record.scope
                                     << "to" << caller;
    } else if (record.status != 429) {
        qCWarning(lcEndpoint).noquote() << "managed identity endpoint: refused" << caller << "with"
                                        << record.status << record.error << record.scope;
    }
    qCDebug(lcEndpoint).noquote() << "managed identity endpoint: account" << record.username;
    m_recent << record;
    while (m_recent.size() > std::max(0, m_options.recentRequestsKept))
        m_recent.removeFirst();
    emit requestServed(record);
}

} // namespace azid::model
