#include "atomicfile.h"

#include "azid/keychain/storagefailure.h"
#include "keychainlogging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <openssl/rand.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace azid::detail {

namespace {

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

} // namespace

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

namespace {

AuthError fileError(const QString &message)
{
    return storageError(StorageFailure::FileError, message);
}

} // namespace

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// mkdir -p, giving the folders it creates mode 0700.
std::optional<QString> ensureDirectory(const QString &directory)
{
    if (QFileInfo(directory).isDir())
        return std::nullopt;
    const QString parent = QFileInfo(directory).path();
    if (parent != directory) {
        if (std::optional<QString> problem = ensureDirectory(parent))
            return problem;
    }
    if (::mkdir(QFile::encodeName(directory).constData(), 0700) != 0 && errno != EEXIST)
        return QStringLiteral("cannot create the folder %1: %2").arg(directory, errnoText(errno));
    return std::nullopt;
}

Result<std::optional<FileContents>> readWholeFile(const QString &path, qint64 maxBytes)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return std::optional<FileContents>();
        return fileError(
            QStringLiteral("Cannot read the token cache file %1: %2.").arg(path, errnoText(errno)));
    }
    struct stat info = {};
    QByteArray data;
    bool ok = ::fstat(fd, &info) == 0;
    if (ok && info.st_size > maxBytes) {
        ::close(fd);
        const AuthError tooLarge =
            fileTooLargeError(QStringLiteral("The token cache file %1").arg(path), maxBytes);
        return fileError(tooLarge.message + QStringLiteral(" Move it aside to start a new cache."));
    }
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
        return fileError(
            QStringLiteral("Cannot read the token cache file %1: %2.").arg(path, errnoText(readError)));
    }
    return std::optional<FileContents>(FileContents{std::move(data), stampOf(info)});
}

Result<FileStamp> writeFileAtomically(const QString &path, const QByteArray &data)
{
    const auto failure = [&path](const QString &why) {
        return fileError(QStringLiteral("Cannot save the token cache file %1: %2.").arg(path, why));
    };
    const QString directory = QFileInfo(path).absolutePath();
    if (const std::optional<QString> problem = ensureDirectory(directory))
        return failure(*problem);

    const QByteArray target = QFile::encodeName(path);
    QByteArray suffix(6, Qt::Uninitialized);
    RAND_bytes(reinterpret_cast<unsigned char *>(suffix.data()), int(suffix.size()));
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
    removeLeftoverTemporaries(path);
    return stampOf(info);
}

void removeLeftoverTemporaries(const QString &path)
{
    // "<name>.tmp-<pid>-<random>" of writers that died before their rename (a crash, SIGKILL).
    const QFileInfo target(path);
    const QString prefix = target.fileName() + QStringLiteral(".tmp-");
    const QDir folder = target.absoluteDir();
    for (const QString &name : folder.entryList({prefix + QLatin1Char('*')}, QDir::Files | QDir::Hidden)) {
        bool ok = false;
        const qint64 pid = name.mid(prefix.size()).section(QLatin1Char('-'), 0, 0).toLongLong(&ok);
        if (!ok || pid <= 0 || pid == qint64(::getpid()))
            continue;
        if (::kill(pid_t(pid), 0) != 0 && errno == ESRCH) {
            qCDebug(lcKeychain) << "removing" << name << "left by a writer that died";
            ::unlink(QFile::encodeName(folder.filePath(name)).constData());
        }
    }
}

Result<FileStamp> touchFile(const QString &path)
{
    if (const std::optional<QString> problem = ensureDirectory(QFileInfo(path).absolutePath()))
        return fileError(QStringLiteral("Cannot create the file %1: %2.").arg(path, *problem));
    const int fd =
        ::open(QFile::encodeName(path).constData(), O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return fileError(QStringLiteral("Cannot update the file %1: %2.").arg(path, errnoText(errno)));
    struct stat info = {};
    const bool ok = ::futimens(fd, nullptr) == 0 && ::fstat(fd, &info) == 0;
    const int touchError = errno;
    ::close(fd);
    if (!ok)
        return fileError(QStringLiteral("Cannot update the file %1: %2.").arg(path, errnoText(touchError)));
    return stampOf(info);
}

Result<QString> moveFileAside(const QString &path)
{
    const QString base = path + QStringLiteral(".corrupt-") +
                         QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmssZ"));
    const QByteArray from = QFile::encodeName(path);
    for (int attempt = 1; attempt < 1000; ++attempt) {
        const QString candidate = attempt == 1 ? base : base + QLatin1Char('-') + QString::number(attempt);
        const QByteArray to = QFile::encodeName(candidate);
        // Never replaces an older damaged file: hard link (fails if the name is taken), then unlink.
        if (::link(from.constData(), to.constData()) == 0) {
            ::unlink(from.constData());
            qCWarning(lcKeychain) << "kept a token cache file that cannot be read as" << candidate;
            return candidate;
        }
        if (errno == EEXIST)
            continue;
        const int error = errno;
        // File systems without hard links: check, then rename.
        if ((error == EPERM || error == ENOTSUP || error == EXDEV) && !QFileInfo::exists(candidate) &&
            ::rename(from.constData(), to.constData()) == 0) {
            qCWarning(lcKeychain) << "kept a token cache file that cannot be read as" << candidate;
            return candidate;
        }
        return fileError(QStringLiteral("cannot rename %1 to %2: %3").arg(path, candidate, errnoText(error)));
    }
    return fileError(QStringLiteral("too many damaged copies of %1 already").arg(path));
}

} // namespace azid::detail

namespace azid {

FileStamp FileStamp::of(const QString &path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return FileStamp();
    return detail::stampOf(info);
}

} // namespace azid
