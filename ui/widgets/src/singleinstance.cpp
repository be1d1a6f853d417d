#include "azid/ui/singleinstance.h"

#include "uilogging.h"

#include <QDir>
#include <QFile>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QTimer>

#include <sys/stat.h>
#include <unistd.h>

namespace azid::ui {

namespace {

QString runtimeFile(const QString &profile, const QString &suffix)
{
    const Result<QString> dir = SingleInstance::runtimeDirectory();
    if (!dir)
        return {};
    const QString name = profile.isEmpty() ? QStringLiteral("default") : profile;
    return QDir(dir.value()).filePath(QStringLiteral("azid-%1.%2").arg(name, suffix));
}

AuthError runtimeDirectoryError(const QString &problem)
{
    return AuthError::configuration(
        SingleInstance::tr(
            "%1 Azid keeps its lock and socket only there, never in a shared temporary folder "
            "where another user could take them first. Start Azid in a desktop session (which "
            "sets XDG_RUNTIME_DIR), or set XDG_RUNTIME_DIR to a folder of yours with mode 0700.")
            .arg(problem));
}

} // namespace

Result<QString> SingleInstance::runtimeDirectory()
{
    // Not QStandardPaths::RuntimeLocation: without XDG_RUNTIME_DIR it makes one under the temporary folder.
    const QString dir = QString::fromLocal8Bit(qgetenv("XDG_RUNTIME_DIR"));
    if (dir.isEmpty() || !QDir::isAbsolutePath(dir))
        return runtimeDirectoryError(tr("The runtime folder XDG_RUNTIME_DIR is not set."));
    struct stat info = {};
    if (::stat(QFile::encodeName(dir).constData(), &info) != 0 || !S_ISDIR(info.st_mode))
        return runtimeDirectoryError(tr("The runtime folder %1 (XDG_RUNTIME_DIR) does not exist.").arg(dir));
    if (info.st_uid != ::getuid() || (info.st_mode & 0077) != 0) {
        return runtimeDirectoryError(tr("The runtime folder %1 (XDG_RUNTIME_DIR) is not private: it must "
                                        "belong to you and have mode 0700.")
                                         .arg(dir));
    }
    return dir;
}

SingleInstance::SingleInstance(const QString &profile, QObject *parent) : QObject(parent), m_profile(profile)
{
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    connect(&m_server, &QLocalServer::newConnection, this, &SingleInstance::onNewConnection);
}

SingleInstance::~SingleInstance()
{
    if (m_server.isListening())
        m_server.close();
}

QString SingleInstance::socketPath(const QString &profile)
{
    return runtimeFile(profile, QStringLiteral("socket"));
}

QString SingleInstance::lockPath(const QString &profile)
{
    return runtimeFile(profile, QStringLiteral("lock"));
}

SingleInstance::Role SingleInstance::start()
{
    if (const Result<QString> dir = runtimeDirectory(); !dir) {
        m_error = dir.error().message;
        return Role::Failed;
    }
    m_lock = std::make_unique<QLockFile>(lockPath(m_profile));
    // Stale only when its process is gone, never by age: an instance may run for weeks.
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        if (m_lock->error() == QLockFile::LockFailedError)
            return Role::Secondary;
        m_error = tr("Cannot create the lock file %1.").arg(lockPath(m_profile));
        return Role::Failed;
    }
    // The lock is ours, so a socket file left here belongs to a process that is gone.
    const QString path = socketPath(m_profile);
    QLocalServer::removeServer(path);
    if (!m_server.listen(path)) {
        m_error = tr("Cannot listen on %1: %2.").arg(path, m_server.errorString());
        m_lock->unlock();
        return Role::Failed;
    }
    return Role::Primary;
}

void SingleInstance::onNewConnection()
{
    while (QLocalSocket *socket = m_server.nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket]() {
            while (socket->canReadLine()) {
                const QByteArray line = socket->readLine().trimmed();
                const QByteArray reply = m_handler ? m_handler(line) : QByteArrayLiteral("error: no handler");
                socket->write(reply + '\n');
                socket->flush();
            }
            // A line longer than this is no request of ours.
            if (socket->bytesAvailable() > 1024 * 1024)
                socket->abort();
        });
    }
}

void SingleInstance::send(const QByteArray &line, std::chrono::milliseconds timeout)
{
    m_pending = line;
    m_sending = true;
    m_deadline = new QTimer(this);
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this,
            [this]() { finishSend(false, QByteArrayLiteral("the running Azid did not answer")); });
    m_deadline->start(timeout);
    attempt();
}

void SingleInstance::attempt()
{
    if (!m_sending)
        return;
    if (const Result<QString> dir = runtimeDirectory(); !dir) {
        finishSend(false, dir.error().message.toUtf8());
        return;
    }
    if (m_socket)
        m_socket->deleteLater();
    m_socket = new QLocalSocket(this);
    QLocalSocket *socket = m_socket;
    connect(socket, &QLocalSocket::connected, this, [this, socket]() { socket->write(m_pending + '\n'); });
    connect(socket, &QLocalSocket::readyRead, this, [this, socket]() {
        if (socket->canReadLine())
            finishSend(true, socket->readLine().trimmed());
    });
    connect(socket, &QLocalSocket::errorOccurred, this, [this, socket](QLocalSocket::LocalSocketError) {
        if (socket != m_socket || !m_sending)
            return;
        // The primary may hold the lock but not listen yet: try again shortly.
        QTimer::singleShot(200, this, &SingleInstance::attempt);
    });
    socket->connectToServer(socketPath(m_profile));
}

void SingleInstance::finishSend(bool ok, const QByteArray &reply)
{
    if (!m_sending)
        return;
    m_sending = false;
    if (m_deadline)
        m_deadline->stop();
    if (m_socket)
        m_socket->disconnectFromServer();
    emit replied(ok, reply);
}

} // namespace azid::ui
