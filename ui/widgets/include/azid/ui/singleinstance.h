#pragma once

#include "azid/result.h"

#include <QLocalServer>
#include <QLockFile>
#include <QObject>
#include <QPointer>

#include <chrono>
#include <functional>
#include <memory>

class QLocalSocket;
class QTimer;

namespace azid::ui {

// One azid per user and profile: a lock file decides which process is the primary, and the primary
// listens on a local socket that only its user can open (QLocalServer::UserAccessOption). A second
// launch sends the primary a line ("show") and exits; the primary answers each line with a line.
// Both live in $XDG_RUNTIME_DIR: azid-<profile>.lock and azid-<profile>.socket. Without a private runtime
// folder (set, ours, mode 0700) start() fails with a message that says so: no temporary-folder fallback.
class SingleInstance : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<QByteArray(const QByteArray &line)>;

    explicit SingleInstance(const QString &profile, QObject *parent = nullptr);
    ~SingleInstance() override;

    // $XDG_RUNTIME_DIR when it is set, a folder, the user's and mode 0700; else what is wrong.
    [[nodiscard]] static Result<QString> runtimeDirectory();
    // Empty without a usable runtime folder.
    static QString socketPath(const QString &profile);
    static QString lockPath(const QString &profile);

    enum class Role { Primary, Secondary, Failed };
    // Takes the lock and listens (Primary), or finds that another process holds it (Secondary).
    Role start();
    QString errorString() const { return m_error; }

    // Primary: answers every line received.
    void setHandler(Handler handler) { m_handler = std::move(handler); }

    // Secondary: sends one line and reports the answer through replied(); retries while the primary
    // is still starting, until `timeout`.
    void send(const QByteArray &line, std::chrono::milliseconds timeout = std::chrono::seconds(10));

signals:
    void replied(bool ok, const QByteArray &reply);

private:
    void onNewConnection();
    void attempt();
    void finishSend(bool ok, const QByteArray &reply);

    QString m_profile;
    std::unique_ptr<QLockFile> m_lock;
    QLocalServer m_server;
    Handler m_handler;
    QString m_error;

    // Secondary
    QByteArray m_pending;
    QPointer<QLocalSocket> m_socket;
    QTimer *m_deadline = nullptr;
    bool m_sending = false;
};

} // namespace azid::ui
