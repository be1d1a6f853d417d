#pragma once

#include "azid/result.h"

#include <QByteArray>
#include <QFile>
#include <QString>

namespace azid {

// The most Azid reads of files other programs write, each far above what such a file holds.
inline constexpr qint64 MaxTokenFileBytes = 256 * 1024;        // a workload identity's token file
inline constexpr qint64 MaxRecordFileBytes = 16 * 1024 * 1024; // AuthenticationRecords to import
inline constexpr qint64 MaxCacheFileBytes = 256 * 1024 * 1024; // a token cache file
inline constexpr qint64 MaxToolOutputBytes = 4 * 1024 * 1024;  // what a developer tool prints

// The error for `what` (e.g. "The federated token file /var/run/token") when it is larger than `maxBytes`.
inline AuthError fileTooLargeError(const QString &what, qint64 maxBytes)
{
    return AuthError::configuration(
        QStringLiteral(
            "%1 is larger than %2 KiB, far more than such a file holds: Azid did not read it. Check "
            "that it is the right file.")
            .arg(what)
            .arg(maxBytes / 1024));
}

// Reads a whole file of at most `maxBytes` (pipes and files that grow while read included). The error
// names `what` and says why; a file that is too large is not read beyond the limit.
[[nodiscard]] inline Result<QByteArray> readFileAtMost(const QString &path, qint64 maxBytes,
                                                       const QString &what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return AuthError::configuration(
            QStringLiteral("%1 cannot be read: %2.").arg(what, file.errorString()));
    if (!file.isSequential() && file.size() > maxBytes)
        return fileTooLargeError(what, maxBytes);
    QByteArray data = file.read(maxBytes + 1);
    if (data.size() > maxBytes) {
        data.fill('\0');
        return fileTooLargeError(what, maxBytes);
    }
    if (file.error() != QFileDevice::NoError)
        return AuthError::configuration(
            QStringLiteral("%1 cannot be read: %2.").arg(what, file.errorString()));
    return data;
}

} // namespace azid
