#include "azid/keychain/encryptedcachefile.h"

#include "atomicfile.h"
#include "azid/keychain/storagefailure.h"
#include "keychainlogging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cerrno>
#include <climits>
#include <memory>
#include <unistd.h>

namespace azid {

namespace {

constexpr char Magic[] = "AZIDC1";
constexpr qsizetype MagicSize = sizeof Magic - 1;
constexpr qsizetype HeaderSize = MagicSize + 1;
constexpr int NonceSize = 12;
constexpr int TagSize = 16;

struct CipherContextDeleter
{
    void operator()(EVP_CIPHER_CTX *context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

const unsigned char *bytes(const QByteArray &data)
{
    return reinterpret_cast<const unsigned char *>(data.constData());
}

unsigned char *bytes(QByteArray &data)
{
    return reinterpret_cast<unsigned char *>(data.data());
}

QByteArray header()
{
    return QByteArray(Magic, MagicSize) + EncryptedCacheFile::Version;
}

} // namespace

EncryptedCacheFile::EncryptedCacheFile(QString path) : m_path(std::move(path)) {}

Secret EncryptedCacheFile::generateKey()
{
    QByteArray key(KeySize, Qt::Uninitialized);
    if (RAND_bytes(bytes(key), int(key.size())) != 1)
        return Secret();
    return Secret(std::move(key));
}

QByteArray EncryptedCacheFile::encrypt(const Secret &plaintext, const Secret &key)
{
    if (key.size() != KeySize || plaintext.size() > INT_MAX - 64)
        return QByteArray();
    QByteArray nonce(NonceSize, Qt::Uninitialized);
    if (RAND_bytes(bytes(nonce), NonceSize) != 1)
        return QByteArray();
    const QByteArray aad = header();
    QByteArray out = aad + nonce;
    const qsizetype cipherStart = out.size();
    out.resize(cipherStart + plaintext.size() + TagSize);

    CipherContext context(EVP_CIPHER_CTX_new());
    int length = 0;
    int finalLength = 0;
    const bool ok =
        context && EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, NonceSize, nullptr) == 1 &&
        EVP_EncryptInit_ex(context.get(), nullptr, nullptr, bytes(key.reveal()), bytes(nonce)) == 1 &&
        EVP_EncryptUpdate(context.get(), nullptr, &length, bytes(aad), int(aad.size())) == 1 &&
        EVP_EncryptUpdate(context.get(), bytes(out) + cipherStart, &length, bytes(plaintext.reveal()),
                          int(plaintext.size())) == 1 &&
        EVP_EncryptFinal_ex(context.get(), bytes(out) + cipherStart + length, &finalLength) == 1 &&
        length + finalLength == plaintext.size() &&
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, TagSize,
                            bytes(out) + cipherStart + plaintext.size()) == 1;
    return ok ? out : QByteArray();
}

std::optional<Secret> EncryptedCacheFile::decrypt(const QByteArray &data, const Secret &key)
{
    const QByteArray aad = header();
    if (key.size() != KeySize || data.size() < HeaderSize + NonceSize + TagSize || !data.startsWith(aad))
        return std::nullopt;
    const qsizetype cipherStart = HeaderSize + NonceSize;
    const qsizetype cipherSize = data.size() - cipherStart - TagSize;
    QByteArray tag = data.right(TagSize);
    QByteArray plain(cipherSize, Qt::Uninitialized);

    CipherContext context(EVP_CIPHER_CTX_new());
    int length = 0;
    int finalLength = 0;
    const bool ok =
        context && EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, NonceSize, nullptr) == 1 &&
        EVP_DecryptInit_ex(context.get(), nullptr, nullptr, bytes(key.reveal()), bytes(data) + HeaderSize) ==
            1 &&
        EVP_DecryptUpdate(context.get(), nullptr, &length, bytes(aad), int(aad.size())) == 1 &&
        EVP_DecryptUpdate(context.get(), bytes(plain), &length, bytes(data) + cipherStart, int(cipherSize)) ==
            1 &&
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, TagSize, bytes(tag)) == 1 &&
        EVP_DecryptFinal_ex(context.get(), bytes(plain) + length, &finalLength) == 1 &&
        length + finalLength == cipherSize;
    if (!ok) {
        scrub(plain);
        return std::nullopt;
    }
    return Secret(std::move(plain));
}

Result<std::optional<EncryptedCacheFile::Contents>> EncryptedCacheFile::read(const Secret &key,
                                                                             OnDamage onDamage) const
{
    const auto file = detail::readWholeFile(m_path);
    if (!file)
        return file.error();
    if (!file.value())
        return std::optional<Contents>();
    const QByteArray &data = file.value()->data;

    if (data.size() >= HeaderSize && data.startsWith(QByteArray(Magic, MagicSize)) &&
        data.at(MagicSize) > Version) {
        return storageError(StorageFailure::CacheDamaged,
                            QStringLiteral("The token cache file %1 was written by a newer version of Azid "
                                           "(format %2): update Azid. The file was left as it is.")
                                .arg(m_path)
                                .arg(int(data.at(MagicSize))));
    }
    std::optional<Secret> plaintext = decrypt(data, key);
    if (!plaintext) {
        const QString problem =
            QStringLiteral("The token cache file %1 cannot be decrypted: it is damaged or was "
                           "written with another key.")
                .arg(m_path);
        if (onDamage == OnDamage::Keep)
            return storageError(StorageFailure::CacheDamaged, problem);
        const Result<QString> kept = moveAside();
        if (!kept) {
            return storageError(
                StorageFailure::CacheDamaged,
                problem + QStringLiteral(
                              " It could not be moved aside (%1); move or delete it, then sign in again.")
                              .arg(kept.error().message));
        }
        return storageError(StorageFailure::CacheDamaged,
                            problem +
                                QStringLiteral(" It has been kept as %1; sign in again.").arg(kept.value()));
    }
    return std::optional<Contents>(Contents{std::move(*plaintext), file.value()->stamp});
}

Result<FileStamp> EncryptedCacheFile::write(const Secret &plaintext, const Secret &key) const
{
    const QByteArray data = encrypt(plaintext, key);
    if (data.isEmpty()) {
        return storageError(
            StorageFailure::FileError,
            QStringLiteral("Cannot save the token cache file %1: encryption failed.").arg(m_path));
    }
    return detail::writeFileAtomically(m_path, data);
}

bool EncryptedCacheFile::isFromNewerVersion() const
{
    const auto file = detail::readWholeFile(m_path);
    if (!file || !file.value())
        return false;
    const QByteArray &data = file.value()->data;
    return data.size() >= HeaderSize && data.startsWith(QByteArray(Magic, MagicSize)) &&
           data.at(MagicSize) > Version;
}

VoidResult EncryptedCacheFile::createFolder() const
{
    if (const std::optional<QString> problem = detail::ensureDirectory(QFileInfo(m_path).absolutePath()))
        return storageError(StorageFailure::FileError,
                            QStringLiteral("Cannot save the token cache file %1: %2.").arg(m_path, *problem));
    return Done{};
}

Result<QString> EncryptedCacheFile::moveAside() const
{
    return detail::moveFileAside(m_path);
}

} // namespace azid
