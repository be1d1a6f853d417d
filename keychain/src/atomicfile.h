#pragma once

#include "azid/boundedfile.h"

#include "azid/keychain/encryptedcachefile.h"
#include "azid/result.h"

#include <QByteArray>
#include <QString>

#include <optional>

struct stat;

namespace azid::detail {

// Local file primitives of the cache storages. Synchronous; errors carry StorageFailure::FileError.

struct FileContents
{
    QByteArray data;
    FileStamp stamp; // of the file that was read (its inode, size and time)
};

// The whole file, or an empty optional when it does not exist. A file larger than `maxBytes` is an error
// and is not read.
Result<std::optional<FileContents>> readWholeFile(const QString &path, qint64 maxBytes = MaxCacheFileBytes);

// Replaces the file atomically: a temporary file of mode 0600 in the same folder, fsync, rename, fsync
// of the folder. Missing folders are created with mode 0700. Returns the new file's stamp.
Result<FileStamp> writeFileAtomically(const QString &path, const QByteArray &data);

// Deletes the temporary files of writeFileAtomically() that writers which died before renaming them
// left beside `path` (their pid is in the name and no longer runs). Done after every write.
void removeLeftoverTemporaries(const QString &path);

// Creates the folder and its missing parents with mode 0700. Nothing when the folder is there, else
// why it is not ("cannot create the folder ...: <errno text>").
std::optional<QString> ensureDirectory(const QString &directory);

// Creates the file if missing (mode 0600) and sets its modification time to now, keeping what it
// holds: msal-extensions' "touch" of its signal file.
Result<FileStamp> touchFile(const QString &path);

// Renames the file to "<path>.corrupt-<yyyyMMddTHHmmssZ>" (plus "-N" if taken) and returns the new
// path. Never replaces an older damaged copy; nothing is ever deleted.
Result<QString> moveFileAside(const QString &path);

QString errnoText(int error);

FileStamp stampOf(const struct stat &info);

} // namespace azid::detail
