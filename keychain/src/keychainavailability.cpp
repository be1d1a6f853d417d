#include "azid/keychain/keychainavailability.h"

#include "azid/keychain/keychainsecretstore.h"
#include "azid/readyfuture.h"
#include "keychainerrors.h"
#include "keychainlogging.h"
#include "libsecretclient.h"

#include <QPointer>

#include <algorithm>

namespace azid {

KeychainAvailability::KeychainAvailability(QObject *parent) : KeychainAvailability(defaultProbe(), parent) {}

KeychainAvailability::KeychainAvailability(Probe probe, QObject *parent)
    : QObject(parent), m_probe(std::move(probe))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &KeychainAvailability::probe);
}

KeychainAvailability::~KeychainAvailability() = default;

KeychainAvailability::Probe KeychainAvailability::secretStoreProbe(std::shared_ptr<SecretStore> store,
                                                                   QString key)
{
    return [store, key] {
        return store->read(key).then([](const SecretResult &read) -> VoidResult {
            if (!read)
                return read.error();
            return Done{};
        });
    };
}

KeychainAvailability::Probe KeychainAvailability::defaultProbe(const QString &profile,
                                                               std::chrono::milliseconds timeout)
{
    const Probe throughQtKeychain = secretStoreProbe(std::make_shared<KeychainSecretStore>(profile, timeout));
    if (!detail::libsecret::isCompiledIn())
        return throughQtKeychain;
    return [timeout, throughQtKeychain] {
        using detail::libsecret::CollectionState;
        return detail::libsecret::defaultCollectionState(timeout)
            .then([throughQtKeychain](const Result<CollectionState> &state) -> QFuture<VoidResult> {
                if (!state) {
                    // No Secret Service: QtKeychain may still have KWallet.
                    if (storageFailure(state.error()) == StorageFailure::KeychainUnavailable)
                        return throughQtKeychain();
                    return ready(VoidResult(state.error()));
                }
                switch (state.value()) {
                case CollectionState::Unlocked:
                    return ready(VoidResult(Done{}));
                case CollectionState::Locked:
                    return ready(VoidResult(storageError(StorageFailure::KeychainLocked,
                                                         detail::lockedKeychainMessage() +
                                                             QStringLiteral(" (the Secret Service's default "
                                                                            "collection is locked)"))));
                case CollectionState::Missing:
                    break;
                }
                return ready(VoidResult(storageError(
                    StorageFailure::KeychainLocked,
                    QStringLiteral("The keychain has no default collection: create or unlock the \"login\" "
                                   "keyring (log in again, or use Passwords and Keys), then try again."))));
            })
            .unwrap();
    };
}

QFuture<VoidResult> KeychainAvailability::requestUnlock(std::chrono::milliseconds timeout)
{
    return detail::libsecret::unlockDefaultCollection(timeout);
}

void KeychainAvailability::setBackoff(const Backoff &backoff)
{
    m_backoff = backoff;
}

void KeychainAvailability::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void KeychainAvailability::start()
{
    if (m_state != State::Idle)
        return;
    m_delay = std::chrono::milliseconds(0);
    probe();
}

void KeychainAvailability::retryNow()
{
    m_timer.stop();
    probe();
}

void KeychainAvailability::stop()
{
    m_timer.stop();
    ++m_generation; // a probe still running is ignored when it answers
    setState(m_state == State::Available ? State::Available : State::Idle);
}

void KeychainAvailability::probe()
{
    const quint64 generation = ++m_generation;
    ++m_attempts;
    setState(State::Checking);
    // Not then(this, ...): Qt 6.4 asserts when that context dies while the future is pending.
    m_probe().then([self = QPointer<KeychainAvailability>(this), generation](const VoidResult &result) {
        if (self)
            self->finished(generation, result);
    });
}

void KeychainAvailability::finished(quint64 generation, const VoidResult &result)
{
    if (generation != m_generation)
        return;
    if (result) {
        qCInfo(lcKeychain) << "the keychain is available after" << m_attempts << "probe(s)";
        m_delay = std::chrono::milliseconds(0);
        setState(State::Available);
        emit available();
        return;
    }
    m_lastError = result.error();
    m_delay =
        m_delay.count() == 0
            ? m_backoff.initial
            : std::min(m_backoff.maximum, std::chrono::milliseconds(qint64(double(m_delay.count()) *
                                                                           std::max(1.0, m_backoff.factor))));
    qCDebug(lcKeychain).noquote() << "the keychain is not usable yet:" << m_lastError.message
                                  << "- next probe in" << m_delay.count() << "ms";
    setState(State::Waiting);
    m_timer.start(m_delay);
    emit unavailable(m_lastError, qint64(m_delay.count()));
}

} // namespace azid
