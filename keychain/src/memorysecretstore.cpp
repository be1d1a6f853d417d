#include "azid/keychain/memorysecretstore.h"

namespace azid {

QFuture<SecretResult> MemorySecretStore::read(const QString &key)
{
    QMutexLocker locker(&m_mutex);
    if (m_failure)
        return QtFuture::makeReadyFuture(SecretResult(*m_failure));
    const auto it = m_items.constFind(key);
    return QtFuture::makeReadyFuture(
        SecretResult(it == m_items.constEnd() ? std::optional<Secret>() : std::optional<Secret>(*it)));
}

QFuture<VoidResult> MemorySecretStore::write(const QString &key, const Secret &secret)
{
    QMutexLocker locker(&m_mutex);
    if (m_failure)
        return QtFuture::makeReadyFuture(VoidResult(*m_failure));
    if (auto error = checkItemSize(key, secret))
        return QtFuture::makeReadyFuture(VoidResult(*error));
    m_items.insert(key, secret);
    return QtFuture::makeReadyFuture(VoidResult(Done{}));
}

QFuture<VoidResult> MemorySecretStore::remove(const QString &key)
{
    QMutexLocker locker(&m_mutex);
    if (m_failure)
        return QtFuture::makeReadyFuture(VoidResult(*m_failure));
    m_items.remove(key);
    return QtFuture::makeReadyFuture(VoidResult(Done{}));
}

void MemorySecretStore::setFailure(std::optional<AuthError> error)
{
    QMutexLocker locker(&m_mutex);
    m_failure = std::move(error);
}

QHash<QString, Secret> MemorySecretStore::items() const
{
    QMutexLocker locker(&m_mutex);
    return m_items;
}

} // namespace azid
