#include "azid/keychain/filesecretstore.h"

#include "atomicfile.h"
#include "azid/keychain/storagefailure.h"
#include "azid/readyfuture.h"
#include "keychainlogging.h"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <unistd.h>

namespace azid {

namespace {

// Letters, digits, '.', '_' and '-' stay; everything else becomes %XX, so any key is one file name.
QString fileNameFor(const QString &key)
{
    QString name;
    for (const char byte : key.toUtf8()) {
        const auto c = static_cast<unsigned char>(byte);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
            c == '-' || (c == '.' && !name.isEmpty()))
            name += QLatin1Char(char(c));
        else
            name += QStringLiteral("%%1").arg(int(c), 2, 16, QLatin1Char('0')).toUpper();
    }
    return name;
}

} // namespace

FileSecretStore::FileSecretStore(QString directory) : m_directory(std::move(directory)) {}

QString FileSecretStore::filePath(const QString &key) const
{
    return QDir(m_directory).filePath(fileNameFor(key));
}

QFuture<SecretResult> FileSecretStore::read(const QString &key)
{
    const auto file = detail::readWholeFile(filePath(key));
    if (!file)
        return ready(SecretResult(file.error()));
    if (!file.value())
        return ready(SecretResult(std::optional<Secret>()));
    return ready(SecretResult(std::optional<Secret>(Secret(file.value()->data))));
}

QFuture<VoidResult> FileSecretStore::write(const QString &key, const Secret &secret)
{
    if (auto error = checkItemSize(key, secret))
        return ready(VoidResult(*error));
    const auto written = detail::writeFileAtomically(filePath(key), secret.reveal());
    return ready(written ? VoidResult(Done{}) : VoidResult(written.error()));
}

QFuture<VoidResult> FileSecretStore::remove(const QString &key)
{
    const QString path = filePath(key);
    if (::unlink(QFile::encodeName(path).constData()) != 0 && errno != ENOENT) {
        return ready(VoidResult(
            storageError(StorageFailure::FileError,
                         QStringLiteral("Cannot delete %1: %2.").arg(path, detail::errnoText(errno)))));
    }
    return ready(VoidResult(Done{}));
}

FallbackSecretStore::FallbackSecretStore(std::shared_ptr<SecretStore> keychain,
                                         std::shared_ptr<SecretStore> plain, bool allowUnencrypted)
    : m_keychain(std::move(keychain)), m_plain(std::move(plain)), m_allowUnencrypted(allowUnencrypted),
      m_choice(std::make_shared<std::atomic<int>>(0))
{}

std::optional<bool> FallbackSecretStore::usesPlainStore() const
{
    const int choice = m_choice->load();
    if (choice == 0)
        return std::nullopt;
    return choice == 2;
}

QString FallbackSecretStore::warning() const
{
    if (m_choice->load() != 2)
        return QString();
    const auto *files = dynamic_cast<const FileSecretStore *>(m_plain.get());
    return QStringLiteral("No keychain is reachable, so account records are kept UNENCRYPTED in %1 (files of "
                          "mode 0600), as allowed by allow_unencrypted_storage.")
        .arg(files ? files->directory() : QStringLiteral("plain files"));
}

template <typename T, typename Operation> QFuture<T> FallbackSecretStore::run(Operation operation)
{
    if (m_choice->load() == 2)
        return operation(*m_plain);
    auto choice = m_choice;
    auto plain = m_plain;
    const bool allow = m_allowUnencrypted;
    return operation(*m_keychain)
        .then([choice, plain, allow, operation](const T &result) -> QFuture<T> {
            if (result.ok()) {
                int undecided = 0;
                choice->compare_exchange_strong(undecided, 1);
                return ready(result);
            }
            if (storageFailure(result.error()) != StorageFailure::KeychainUnavailable || !allow ||
                choice->load() == 1)
                return ready(result);
            if (choice->exchange(2) != 2)
                qCWarning(lcKeychain) << "no keychain is reachable: keeping account records in plain files";
            return operation(*plain);
        })
        .unwrap();
}

QFuture<SecretResult> FallbackSecretStore::read(const QString &key)
{
    return run<SecretResult>([key](SecretStore &store) { return store.read(key); });
}

QFuture<VoidResult> FallbackSecretStore::write(const QString &key, const Secret &secret)
{
    return run<VoidResult>([key, secret](SecretStore &store) { return store.write(key, secret); });
}

QFuture<VoidResult> FallbackSecretStore::remove(const QString &key)
{
    return run<VoidResult>([key](SecretStore &store) { return store.remove(key); });
}

} // namespace azid
