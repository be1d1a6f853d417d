#pragma once

#include <QByteArray>
#include <QDeadlineTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <memory>

class QClipboard;
class QMimeData;

namespace azid::ui {

// When to clear the clipboard. Tests substitute one they fire themselves.
class ClearTimer : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void start(std::chrono::milliseconds delay) = 0;
    virtual void stop() = 0;
    virtual bool isActive() const = 0;

signals:
    void timeout();
};

class SystemClearTimer final : public ClearTimer
{
    Q_OBJECT
public:
    explicit SystemClearTimer(QObject *parent = nullptr);
    void start(std::chrono::milliseconds delay) override;
    void stop() override;
    bool isActive() const override;

private:
    QTimer m_timer;
};

// Puts secrets on the clipboard as KeePassXC does: marked so that clipboard managers and the
// platform's clipboard history leave them alone, and cleared after a delay, and when the app quits,
// if the clipboard still holds them. It remembers only a hash of what it copied, not the secret.
class SecretClipboard : public QObject
{
    Q_OBJECT
public:
    // The MIME type KDE's Klipper and other clipboard managers read ("secret": do not keep).
    static constexpr const char *PasswordManagerHint = "x-kde-passwordManagerHint";

    // Without a timer, a QTimer.
    explicit SecretClipboard(QClipboard *clipboard, std::unique_ptr<ClearTimer> timer = {},
                             QObject *parent = nullptr);
    ~SecretClipboard() override;

    // Copies `text`; clears it after `clearAfter` (zero: never) if it is still there.
    void copySecret(const QString &text, std::chrono::milliseconds clearAfter);
    // The clipboard still holds what copySecret put there.
    bool holdsSecret() const;
    bool clearPending() const;
    // How long until the pending clear (zero when none is pending), for a countdown.
    std::chrono::milliseconds clearsIn() const;
    // Clears the clipboard now if it still holds the secret (on quit).
    void clearNow();

    // Text plus every hint this platform knows: x-kde-passwordManagerHint on X11 and Wayland,
    // the concealed type on macOS, the exclusion formats on Windows.
    static QMimeData *secretMimeData(const QString &text);
    static bool isMarkedSecret(const QMimeData *data);

signals:
    // A secret was put on the clipboard (clearPending() says whether it will be cleared).
    void copied();
    // The secret was removed from the clipboard (by the timer or clearNow()).
    void cleared();

private:
    void onTimeout();
    QByteArray currentHash() const;

    QPointer<QClipboard> m_clipboard;
    std::unique_ptr<ClearTimer> m_timer;
    QByteArray m_copiedHash;
    QDeadlineTimer m_clearAt;
};

} // namespace azid::ui
