#pragma once

#include "azid/errors.h"
#include "azid/keychain/secretstore.h"
#include "azid/keychain/storagefailure.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>

namespace azid {

// Watches for the OS keychain to become usable, retrying with backoff, and says so with a signal.
//
// Why: a tray app started at login often runs before the Secret Service has started or before the
// login keyring is unlocked (autologin, a slow PAM); reading accounts then fails with "no keychain" or
// "locked", although a few seconds later all is well. Instead of failing, show a pending state and
// wait for available():
//
//     auto *watcher = new azid::KeychainAvailability(this);         // default probe, see below
//     connect(watcher, &azid::KeychainAvailability::available, this, &Tray::loadAccounts);
//     connect(watcher, &azid::KeychainAvailability::unavailable, this,
//             [this](const azid::AuthError &error, qint64 retryInMs) {
//                 showPending(error.message, retryInMs);                 // e.g. "keychain locked"
//                 // azid::storageFailure(error) tells locked / unavailable / denied / timeout apart
//             });
//     watcher->start();
//
// After start(), a probe runs at once; while it fails, again after the backoff (by default 0.5 s,
// then doubling up to 30 s), until one succeeds: then available() is emitted once, the state is
// Available and probing stops. retryNow() probes at once (a "Try again" button); stop() stops. Every
// failed probe emits unavailable() with the error (carrying its StorageFailure reason) and the delay
// before the next one. Failures of every kind are retried: the Secret Service probe never shows a
// prompt, so retrying costs nothing, and the user may fix a refused access; stop() if you would rather
// not.
//
// The default probe (defaultProbe()) asks the Secret Service (libsecret) whether its default
// collection exists and is unlocked, without unlocking anything: a plain read would not do, because
// gnome-keyring answers reads of a locked collection with "not found". When no Secret Service
// answers at all (e.g. KWallet without its Secret Service interface, or another system), it reads an
// item through QtKeychain (KeychainSecretStore) instead; that read may show the wallet's own prompt.
// Tests pass a probe of their own.
//
// Lives on the thread it was created on (the main thread with the default probe, which libsecret
// answers through Qt's GLib event loop). Nothing blocks; a late probe answer after stop() is ignored.
class KeychainAvailability : public QObject
{
    Q_OBJECT
public:
    enum class State {
        Idle,      // not started, or stopped
        Checking,  // a probe is running
        Waiting,   // the last probe failed; the next one is scheduled
        Available, // a probe succeeded; probing stopped
    };
    Q_ENUM(State)

    // Succeeds when the keychain can be used; fails with a storage error saying why not.
    using Probe = std::function<QFuture<VoidResult>()>;

    struct Backoff
    {
        std::chrono::milliseconds initial{500};
        std::chrono::milliseconds maximum{30000};
        double factor = 2.0;
    };

    explicit KeychainAvailability(QObject *parent = nullptr);
    explicit KeychainAvailability(Probe probe, QObject *parent = nullptr);
    ~KeychainAvailability() override;

    // The Secret Service's default collection, unlocked (see above); falls back to reading `fallbackKey`
    // through a KeychainSecretStore of `profile` when no Secret Service answers.
    static Probe defaultProbe(const QString &profile = {},
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Reads `key` from `store`: available when the read gets any answer (present or not).
    static Probe secretStoreProbe(std::shared_ptr<SecretStore> store,
                                  QString key = QStringLiteral("availability-probe"));

    // Asks the keychain to unlock itself, which shows its own prompt (the Secret Service's default
    // collection): a tray app's "Unlock". Fails with KeychainLocked when the prompt was dismissed or
    // could not be shown, KeychainUnavailable without a Secret Service.
    static QFuture<VoidResult> requestUnlock(std::chrono::milliseconds timeout = std::chrono::minutes(5));

    void setBackoff(const Backoff &backoff);
    Backoff backoff() const { return m_backoff; }

    State state() const { return m_state; }
    bool isAvailable() const { return m_state == State::Available; }
    // The last failed probe's error (empty message before any failure).
    AuthError lastError() const { return m_lastError; }
    StorageFailure lastFailure() const { return storageFailure(m_lastError); }
    int attempts() const { return m_attempts; }

public slots:
    // Starts probing (at once). Does nothing while running or once available.
    void start();
    // Probes at once, also when available already (to check again) or stopped.
    void retryNow();
    void stop();

signals:
    void stateChanged(azid::KeychainAvailability::State state);
    void available();
    // A probe failed; the next one runs in retryInMs milliseconds.
    void unavailable(const azid::AuthError &error, qint64 retryInMs);

private:
    void probe();
    void finished(quint64 generation, const VoidResult &result);
    void setState(State state);

    Probe m_probe;
    Backoff m_backoff;
    State m_state = State::Idle;
    AuthError m_lastError;
    std::chrono::milliseconds m_delay{0};
    int m_attempts = 0;
    quint64 m_generation = 0;
    QTimer m_timer;
};

} // namespace azid
