#include "azid/model/tokenagent.h"

#include "azid/keychain/storagelocation.h"
#include "azid/model/accountselection.h"
#include "azid/model/accountservice.h"
#include "azid/model/whenready.h"

#include <QDir>
#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QTimer>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

Q_LOGGING_CATEGORY(lcAgent, "azid.model.agent", QtInfoMsg)

namespace azid::model {
namespace detail {

// One client's connection: request lines are read one at a time and answered in order; a connection
// that sends nothing for a while, or a line too long, is closed.
class AgentConnection : public QObject
{
public:
    AgentConnection(QLocalSocket *socket, TokenAgent *agent, qint64 peerPid, QString peerProgram)
        : QObject(agent), pid(peerPid), program(std::move(peerProgram)), m_socket(socket), m_agent(agent)
    {
        socket->setParent(this);
        m_idle.setSingleShot(true);
        m_idle.setInterval(agent->m_options.idleTimeout);
        connect(&m_idle, &QTimer::timeout, this, [this]() { close(); });
        connect(socket, &QLocalSocket::readyRead, this, [this]() { readRequests(); });
        connect(socket, &QLocalSocket::disconnected, this, [this]() { close(); });
        m_idle.start();
    }

    void send(const QByteArray &line)
    {
        if (m_socket->state() == QLocalSocket::ConnectedState)
            m_socket->write(line);
    }

    // The final answer to the current request went out: the next one may be read.
    void requestDone()
    {
        m_busy = false;
        m_idle.start();
        readRequests();
    }

    void close()
    {
        if (m_closed)
            return;
        m_closed = true;
        m_idle.stop();
        m_agent->m_connections.removeOne(this);
        // Goes once what was written has left (a closed socket's last answer is not lost).
        m_socket->disconnectFromServer();
        if (m_socket->state() == QLocalSocket::UnconnectedState) {
            deleteLater();
            return;
        }
        connect(m_socket, &QLocalSocket::disconnected, this, &QObject::deleteLater);
        QTimer::singleShot(m_agent->m_options.idleTimeout, this, &QObject::deleteLater);
    }

    const qint64 pid;
    const QString program;

private:
    void readRequests()
    {
        m_buffer += m_socket->readAll();
        if (m_busy || m_closed)
            return;
        const qsizetype end = m_buffer.indexOf('\n');
        if (end < 0) {
            if (m_buffer.size() > m_agent->m_options.maxRequestBytes)
                refuse(QStringLiteral("the request is longer than %1 bytes")
                           .arg(m_agent->m_options.maxRequestBytes));
            return;
        }
        if (end > m_agent->m_options.maxRequestBytes) {
            refuse(QStringLiteral("the request is longer than %1 bytes")
                       .arg(m_agent->m_options.maxRequestBytes));
            return;
        }
        const QByteArray line = m_buffer.left(end);
        m_buffer.remove(0, end + 1);
        const Result<agent::Request> request = agent::parseRequest(line);
        if (!request.ok()) {
            send(agent::encodeError(request.error()));
            close();
            return;
        }
        m_busy = true;
        m_idle.stop();
        m_agent->serve(this, request.value());
    }

    void refuse(const QString &why)
    {
        qCWarning(lcAgent).noquote() << "closed a connection of pid" << pid << program << ":" << why;
        send(agent::encodeError(AuthError::configuration(why).withReason(ErrorReason::Protocol)));
        close();
    }

    QLocalSocket *m_socket;
    TokenAgent *m_agent;
    QByteArray m_buffer;
    QTimer m_idle;
    bool m_busy = false;
    bool m_closed = false;
};

// One step-up of one account: the host's sign-in, with the callers waiting for it.
class StepUpWait : public QObject
{
public:
    using Waiter = std::function<void(bool signedIn)>;
    StepUpWait(QObject *parent, std::chrono::milliseconds timeout) : QObject(parent)
    {
        m_timeout.setSingleShot(true);
        connect(&m_timeout, &QTimer::timeout, this, [this]() { finish(false); });
        m_timeout.start(timeout);
    }
    void add(Waiter waiter) { m_waiters << std::move(waiter); }
    // Late results (after the timeout) are ignored.
    void finish(bool signedIn)
    {
        if (m_finished)
            return;
        m_finished = true;
        m_timeout.stop();
        emitFinished();
        for (const Waiter &waiter : std::as_const(m_waiters))
            waiter(signedIn);
        deleteLater();
    }
    std::function<void()> emitFinished = [] {};

private:
    QList<Waiter> m_waiters;
    QTimer m_timeout;
    bool m_finished = false;
};

} // namespace detail

namespace {

using detail::AgentConnection;

// The process at the other end of a Unix socket, as the kernel tells.
struct Peer
{
    bool known = false;
    uid_t uid = 0;
    qint64 pid = 0;
};

Peer peerOf(qintptr descriptor)
{
    ucred credentials{};
    socklen_t size = sizeof credentials;
    if (::getsockopt(int(descriptor), SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0 ||
        size != sizeof credentials)
        return {};
    return {true, credentials.uid, qint64(credentials.pid)};
}

QString programOf(qint64 pid)
{
    if (pid <= 0)
        return {};
    QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
    if (!comm.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(comm.readAll().trimmed());
}

// The folder of the sockets, made if need be; an error when it is not this user's alone.
VoidResult ensurePrivateFolder(const QString &path)
{
    const QByteArray name = QFile::encodeName(path);
    if (::mkdir(name.constData(), 0700) != 0 && errno != EEXIST) {
        return AuthError::unavailable(QStringLiteral("Cannot make the agent's folder %1: %2.")
                                          .arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    }
    struct stat info
    {};
    if (::lstat(name.constData(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::geteuid() ||
        (info.st_mode & 077) != 0) {
        return AuthError::unavailable(
            QStringLiteral(
                "The agent's folder %1 must be a folder of this user with mode 0700; it is not, so "
                "no agent starts there.")
                .arg(path));
    }
    return Done{};
}

// Whether an agent already answers at `path`.
bool someoneListens(const QString &path)
{
    const int fd = agent::connectToSocket(path);
    if (fd >= 0)
        ::close(fd);
    return fd >= 0;
}

// Changes with every change of the account list by any process: the list's lock file is written by
// each one (nanoseconds of its modification time; 0 while there is none).
qint64 accountListStamp(const QString &profile)
{
    const QByteArray path =
        QFile::encodeName(QDir(profileDataDirectory(profile)).filePath(QStringLiteral("accounts.lockfile")));
    struct stat info
    {};
    if (::stat(path.constData(), &info) != 0)
        return 0;
    return qint64(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
}

QList<StoredAccount> storedAccounts(const AccountService &service)
{
    QList<StoredAccount> stored;
    for (const AccountEntry &entry : service.accounts())
        stored << entry.stored;
    return stored;
}

agent::AnswerAccount answerAccount(const StoredAccount &account)
{
    return {account.record.username, account.metadata.signInMethod};
}

} // namespace

TokenAgent::TokenAgent(AccountService &service, Options options, QObject *parent)
    : QObject(parent), m_service(service), m_options(std::move(options))
{
    if (m_options.profile.isEmpty())
        m_options.profile = QStringLiteral("default");
}

TokenAgent::~TokenAgent()
{
    close();
}

VoidResult TokenAgent::listen()
{
    if (const VoidResult folder = ensurePrivateFolder(agent::socketDirectory()); !folder.ok())
        return folder;
    const QString path = socketPath();
    if (someoneListens(path)) {
        return AuthError::unavailable(QStringLiteral("An Azid agent already serves the profile \"%1\" (%2).")
                                          .arg(m_options.profile, path));
    }
    QLocalServer::removeServer(path); // a socket left by an agent that ended without closing it
    m_server = std::make_unique<QLocalServer>();
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    m_server->setMaxPendingConnections(m_options.maxConnections);
    if (!m_server->listen(path)) {
        const QString why = m_server->errorString();
        m_server.reset();
        return AuthError::unavailable(QStringLiteral("The agent cannot listen on %1: %2.").arg(path, why));
    }
    ::chmod(QFile::encodeName(path).constData(), 0600);
    connect(m_server.get(), &QLocalServer::newConnection, this, &TokenAgent::acceptConnections);
    qCInfo(lcAgent).noquote() << "serving tokens of profile" << m_options.profile << "on" << path;
    return Done{};
}

void TokenAgent::close()
{
    if (!m_server)
        return;
    const QString path = m_server->fullServerName();
    m_server->close();
    m_server.reset();
    QLocalServer::removeServer(path);
    const auto connections = m_connections;
    for (AgentConnection *connection : connections)
        connection->close();
}

bool TokenAgent::isListening() const
{
    return m_server && m_server->isListening();
}

void TokenAgent::setManagedIdentityEndpoint(const QUrl &url, const Secret &secret, const QString &accountId)
{
    m_endpoints.insert(accountId, Endpoint{url, secret});
}

void TokenAgent::clearManagedIdentityEndpoint(const QString &accountId)
{
    m_endpoints.remove(accountId);
}

void TokenAgent::setStepUpHandler(StepUpHandler handler)
{
    m_stepUpHandler = std::move(handler);
}

void TokenAgent::acceptConnections()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        if (!admit(socket)) {
            socket->abort();
            socket->deleteLater();
        }
    }
}

bool TokenAgent::admit(QLocalSocket *socket)
{
    const Peer peer = peerOf(socket->socketDescriptor());
    QString refusal;
    if (!peer.known)
        refusal = QStringLiteral("the kernel did not tell who connected");
    else if (peer.uid != ::geteuid())
        refusal = QStringLiteral("uid %1 (pid %2) is another user").arg(peer.uid).arg(peer.pid);
    else if (m_connections.size() >= m_options.maxConnections)
        refusal = QStringLiteral("%1 connections are open already").arg(m_connections.size());
    if (refusal.isEmpty()) {
        m_connections << new AgentConnection(socket, this, peer.pid, programOf(peer.pid));
        return true;
    }
    // A flood is logged once a second, not once a connection.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now - m_lastRefusalLog >= 1000) {
        m_lastRefusalLog = now;
        qCWarning(lcAgent).noquote() << "refused a connection:" << refusal;
    }
    emit connectionRefused(refusal);
    return false;
}

void TokenAgent::withCurrentAccounts(std::function<void(const QList<StoredAccount> &)> then, bool forceReload)
{
    const qint64 stamp = accountListStamp(m_options.profile);
    if (!forceReload && !m_reloading && m_service.isLoaded() && stamp == m_accountsStamp) {
        then(storedAccounts(m_service));
        return;
    }
    m_afterReload << [this, then = std::move(then)]() { then(storedAccounts(m_service)); };
    if (m_reloading)
        return;
    m_reloading = true;
    m_accountsStamp = stamp;
    connect(
        &m_service, &AccountService::accountsChanged, this,
        [this]() {
            m_reloading = false;
            const auto waiting = std::exchange(m_afterReload, {});
            for (const auto &next : waiting)
                next();
        },
        Qt::SingleShotConnection);
    m_service.reload();
}

void TokenAgent::serve(AgentConnection *connection, const agent::Request &request)
{
    QPointer<AgentConnection> guard(connection);
    // The account is chosen among those loaded; a selector that names none may be an account signed in
    // by another process since: the accounts are read again once before the answer says so.
    auto choose = [this, guard, request](const QList<StoredAccount> &accounts, bool reloaded,
                                         auto &again) -> void {
        if (!guard)
            return;
        const QString selector =
            request.type == agent::Request::Type::Token ? request.token.account : request.account;
        const Result<StoredAccount> chosen = selectAccount(accounts, selector, m_options.profile);
        if (!chosen.ok() && !reloaded) {
            withCurrentAccounts([again](const QList<StoredAccount> &current) { again(current, true, again); },
                                true);
            return;
        }
        // The accounts could not be read (a locked keychain): what the agent does not hold in memory, it
        // does not know; the command asks storage itself and says why it cannot.
        if (!chosen.ok() && !m_service.loadError().isEmpty()) {
            guard->send(agent::encodeUnavailable());
            record(guard, QStringLiteral("unavailable"), request.token.options.scopes, {},
                   AuthError::unavailable(m_service.loadError()));
            guard->requestDone();
            return;
        }
        if (request.type == agent::Request::Type::Environment) {
            serveEnvironment(guard, selector, chosen);
        } else if (!chosen.ok()) {
            answerToken(guard, request.token, {}, chosen.error(), true);
        } else {
            serveToken(guard, request.token, chosen.value());
        }
    };
    withCurrentAccounts([choose](const QList<StoredAccount> &accounts) { choose(accounts, false, choose); });
}

void TokenAgent::serveEnvironment(AgentConnection *connection, const QString &selector,
                                  const Result<StoredAccount> &chosen)
{
    const Endpoint *endpoint = nullptr;
    if (selector.isEmpty() && m_endpoints.size() == 1)
        endpoint = &m_endpoints.constBegin().value();
    else if (chosen.ok() && m_endpoints.contains(chosen.value().record.homeAccountId))
        endpoint = &m_endpoints.find(chosen.value().record.homeAccountId).value();
    else if (chosen.ok() && chosen.value().metadata.isDefault && m_endpoints.contains(QString()))
        endpoint = &m_endpoints.find(QString()).value();
    std::optional<AuthError> error;
    if (endpoint) {
        connection->send(agent::encodeEnvironment(endpoint->url, endpoint->secret));
    } else {
        error = AuthError::unavailable(
            m_endpoints.isEmpty()
                ? QStringLiteral(
                      "The Azid agent of profile \"%1\" serves no managed-identity endpoint: start "
                      "one with azid-cli agent --managed-identity-endpoint PORT.")
                      .arg(m_options.profile)
                : QStringLiteral(
                      "The Azid agent of profile \"%1\" serves no managed-identity endpoint for %2.")
                      .arg(m_options.profile,
                           selector.isEmpty() ? QStringLiteral("the default account") : selector));
        connection->send(agent::encodeError(*error));
    }
    record(connection, QStringLiteral("env"), {},
           chosen.ok() ? chosen.value().record.homeAccountId : QString(), error);
    connection->requestDone();
}

void TokenAgent::serveToken(QPointer<AgentConnection> connection, const agent::TokenQuery &query,
                            const StoredAccount &account)
{
    whenReady(m_service.tokenFor(account.record.homeAccountId, query.options), this,
              [this, connection, query, account](const TokenResult &result) {
                  answerToken(connection, query, account, result, false);
              });
}

void TokenAgent::answerToken(QPointer<AgentConnection> connection, const agent::TokenQuery &query,
                             const StoredAccount &account, const TokenResult &result, bool afterStepUp)
{
    if (!connection)
        return; // the caller left
    if (!result.ok() && result.error().kind == ErrorKind::AuthenticationRequired && m_stepUpHandler &&
        !afterStepUp) {
        startStepUp(connection, query, account, result.error());
        return;
    }
    connection->send(result.ok() ? agent::encodeToken(result.value(), answerAccount(account))
                                 : agent::encodeError(result.error(), answerAccount(account)));
    record(connection, QStringLiteral("token"), query.options.scopes, account.record.homeAccountId,
           result.ok() ? std::nullopt : std::optional<AuthError>(result.error()));
    connection->requestDone();
}

void TokenAgent::startStepUp(QPointer<AgentConnection> connection, const agent::TokenQuery &query,
                             const StoredAccount &account, const AuthError &error)
{
    const QString id = account.record.homeAccountId;
    const auto timeout = std::chrono::duration_cast<std::chrono::seconds>(m_options.stepUpTimeout);
    connection->send(agent::encodeWaiting(answerAccount(account), int(timeout.count())));
    detail::StepUpWait *wait = m_stepUps.value(id);
    if (!wait) {
        wait = new detail::StepUpWait(this, m_options.stepUpTimeout);
        m_stepUps.insert(id, wait);
        wait->emitFinished = [this, id]() { m_stepUps.remove(id); };
        const StepUp request{id,
                             account.record.username,
                             query.options.scopes,
                             error.claims.isEmpty() ? query.options.claims : error.claims,
                             connection->pid,
                             connection->program};
        qCInfo(lcAgent).noquote() << QStringLiteral("a request of %1[%2] needs a sign-in: asking the person")
                                         .arg(connection->program)
                                         .arg(connection->pid);
        whenReady(m_stepUpHandler(request), wait,
                  [wait](const VoidResult &signedIn) { wait->finish(signedIn.ok()); });
    }
    wait->add([this, connection, query, account, error](bool signedIn) {
        if (!signedIn) {
            answerToken(connection, query, account, error, true);
            return;
        }
        whenReady(m_service.tokenFor(account.record.homeAccountId, query.options), this,
                  [this, connection, query, account](const TokenResult &result) {
                      answerToken(connection, query, account, result, true);
                  });
    });
}

void TokenAgent::record(AgentConnection *connection, const QString &operation, const QStringList &scopes,
                        const QString &accountId, const std::optional<AuthError> &error)
{
    AgentRequestRecord entry;
    entry.time = QDateTime::currentDateTimeUtc();
    entry.operation = operation;
    entry.scopes = scopes;
    entry.accountId = accountId;
    entry.pid = connection->pid;
    entry.program = connection->program;
    entry.served = !error;
    if (error)
        entry.errorKind = AuthError::kindName(error->kind);
    // Never the token; the account (personal data) only in the debug log.
    qCInfo(lcAgent).noquote() << QStringLiteral("%1 %2 for %3[%4]: %5")
                                     .arg(operation, scopes.join(QLatin1Char(' ')), entry.program)
                                     .arg(entry.pid)
                                     .arg(error ? entry.errorKind : QStringLiteral("served"));
    qCDebug(lcAgent).noquote() << "  account:" << accountId;
    emit requestServed(entry);
}

} // namespace azid::model
