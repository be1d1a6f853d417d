#include "azid/keychain/encryptedcachefile.h"

#include "keychainlogging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
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

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

bool writeAll(int fd, const QByteArray &data)
{
    qsizetype written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + written, size_t(data.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        written += n;
    }
    return true;
}

FileStamp stampOf(const struct stat &info)
{
    FileStamp stamp;
    stamp.exists = true;
    stamp.device = quint64(info.st_dev);
    stamp.inode = quint64(info.st_ino);
    stamp.size = qint64(info.st_size);
    stamp.modifiedNs = qint64(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
    return stamp;
}

// mkdir -p, giving the folders it creates mode 0700.
bool ensureDirectory(const QString &directory, QString *error)
{
    if (QFileInfo(directory).isDir())
        return true;
    const QString parent = QFileInfo(directory).path();
    if (parent != directory && !ensureDirectory(parent, error))
        return false;
    if (::mkdir(QFile::encodeName(directory).constData(), 0700) != 0 && errno != EEXIST) {
        *error = QStringLiteral("cannot create the folder %1: %2").arg(directory, errnoText(errno));
        return false;
    }
    return true;
}

} // namespace

FileStamp FileStamp::of(const QString &path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return FileStamp();
    return stampOf(info);
}

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
    const QByteArray nativePath = QFile::encodeName(m_path);
    const int fd = ::open(nativePath.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return std::optional<Contents>();
        return AuthError::unavailable(
            QStringLiteral("Cannot read the token cache file %1: %2.").arg(m_path, errnoText(errno)));
    }
    struct stat info = {};
    QByteArray data;
    bool ok = ::fstat(fd, &info) == 0;
    if (ok) {
        data.resize(qsizetype(info.st_size));
        qsizetype done = 0;
        while (ok && done < data.size()) {
            const ssize_t n = ::read(fd, data.data() + done, size_t(data.size() - done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n == 0) { // shorter than fstat said: read what is there
                data.truncate(done);
                break;
            }
            ok = n > 0;
            done += ok ? n : 0;
        }
    }
    const int readError = errno;
    ::close(fd);
    if (!ok) {
        return AuthError::unavailable(
            QStringLiteral("Cannot read the token cache file %1: %2.").arg(m_path, errnoText(readError)));
    }

    if (data.size() >= HeaderSize && data.startsWith(QByteArray(Magic, MagicSize)) &&
        data.at(MagicSize) > Version) {
        return AuthError::unavailable(
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
            return AuthError::unavailable(problem);
        const Result<QString> kept = moveAside();
        if (!kept) {
            return AuthError::unavailable(
                problem +
                QStringLiteral(" It could not be moved aside (%1); move or delete it, then sign in again.")
                    .arg(kept.error().message));
        }
        return AuthError::unavailable(
            problem + QStringLiteral(" It has been kept as %1; sign in again.").arg(kept.value()));
    }
    return std::optional<Contents>(Contents{std::move(*plaintext), stampOf(info)});
}

Result<FileStamp> EncryptedCacheFile::write(const Secret &plaintext, const Secret &key) const
{
    const auto failure = [this](const QString &why) {
        return AuthError::unavailable(
            QStringLiteral("Cannot save the token cache file %1: %2.").arg(m_path, why));
    };
    const QByteArray data = encrypt(plaintext, key);
    if (data.isEmpty())
        return failure(QStringLiteral("encryption failed"));

    const QString directory = QFileInfo(m_path).absolutePath();
    QString error;
    if (!ensureDirectory(directory, &error))
        return failure(error);

    const QByteArray target = QFile::encodeName(m_path);
    QByteArray suffix(6, Qt::Uninitialized);
    RAND_bytes(bytes(suffix), int(suffix.size()));
    const QByteArray temporary =
        target + ".tmp-" + QByteArray::number(qint64(::getpid())) + '-' + suffix.toHex();
    const int fd = ::open(temporary.constData(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return failure(errnoText(errno));
    struct stat info = {};
    // fchmod: the umask must not decide who can read tokens.
    const bool written =
        ::fchmod(fd, 0600) == 0 && writeAll(fd, data) && ::fsync(fd) == 0 && ::fstat(fd, &info) == 0;
    const int writeError = errno;
    ::close(fd);
    if (!written || ::rename(temporary.constData(), target.constData()) != 0) {
        const int renameError = written ? errno : writeError;
        ::unlink(temporary.constData());
        return failure(errnoText(renameError));
    }
    // Make the rename itself durable.
    const int directoryFd =
        ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directoryFd >= 0) {
        ::fsync(directoryFd);
        ::close(directoryFd);
    }
    return stampOf(info);
}

VoidResult EncryptedCacheFile::createFolder() const
{
    QString error;
    if (!ensureDirectory(QFileInfo(m_path).absolutePath(), &error))
        return AuthError::unavailable(
            QStringLiteral("Cannot save the token cache file %1: %2.").arg(m_path, error));
    return Done{};
}

Result<QString> EncryptedCacheFile::moveAside() const
{
    const QString base = m_path + QStringLiteral(".corrupt-") +
                         QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmssZ"));
    const QByteArray from = QFile::encodeName(m_path);
    for (int attempt = 1; attempt < 1000; ++attempt) {
        const QString candidate = attempt == 1 ? base : base + QLatin1Char('-') + QString::number(attempt);
        const QByteArray to = QFile::encodeName(candidate);
        // Never replaces an older damaged file: hard link (fails if the name is taken), then unlink.
        if (::link(from.constData(), to.constData()) == 0) {
            ::unlink(from.constData());
            qCWarning(lcKeychain) << "kept a token cache file that cannot be decrypted as" << candidate;
            return candidate;
        }
        if (errno == EEXIST)
            continue;
        const int error = errno;
        // File systems without hard links: check, then rename.
        if ((error == EPERM || error == ENOTSUP || error == EXDEV) && !QFileInfo::exists(candidate) &&
            ::rename(from.constData(), to.constData()) == 0) {
            qCWarning(lcKeychain) << "kept a token cache file that cannot be decrypted as" << candidate;
            return candidate;
        }
        return AuthError::unavailable(
            QStringLiteral("cannot rename %1 to %2: %3").arg(m_path, candidate, errnoText(error)));
    }
    return AuthError::unavailable(QStringLiteral("too many damaged copies of %1 already").arg(m_path));
}

} // namespace azid
