#include "keychainerrors.h"

#include "azid/keychain/storagefailure.h"

#include <QStringList>

namespace azid::detail {

namespace {

QString operationName(KeychainOperation operation)
{
    switch (operation) {
    case KeychainOperation::Read:
        return QStringLiteral("reading");
    case KeychainOperation::Write:
        return QStringLiteral("writing");
    case KeychainOperation::Remove:
        return QStringLiteral("deleting");
    }
    return QString();
}

// D-Bus's own words when the session bus or the Secret Service is not there (GDBus, libdbus, QtDBus).
bool meansNoSecretService(const QString &detail)
{
    static const QStringList patterns = {
        QStringLiteral("Could not connect"),
        QStringLiteral("Cannot autolaunch D-Bus"),
        QStringLiteral("dbus-launch"),
        QStringLiteral("D-Bus is not running"),
        QStringLiteral("not provided by any .service files"),
        QStringLiteral("ServiceUnknown"),
        QStringLiteral("No keychain service available"),
        QStringLiteral("The connection is closed"),
    };
    for (const QString &pattern : patterns) {
        if (detail.contains(pattern, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

// gnome-keyring without a default ("login") collection it can open, e.g. when no prompt can be shown.
bool meansNoUsableCollection(const QString &detail)
{
    return detail.contains(QStringLiteral("/org/freedesktop/secrets/collection/")) &&
           detail.contains(QStringLiteral("does not exist"), Qt::CaseInsensitive);
}

// A D-Bus policy refused the call, or the user dismissed the keychain's prompt.
bool meansAccessDenied(const QString &detail)
{
    return detail.contains(QStringLiteral("org.freedesktop.DBus.Error.AccessDenied")) ||
           detail.contains(QStringLiteral("Rejected send message"), Qt::CaseInsensitive) ||
           detail.contains(QStringLiteral("dismissed"), Qt::CaseInsensitive);
}

bool meansNoAnswer(const QString &detail)
{
    return detail.contains(QStringLiteral("org.freedesktop.DBus.Error.NoReply")) ||
           detail.contains(QStringLiteral("org.freedesktop.DBus.Error.Timeout")) ||
           detail.contains(QStringLiteral("Timeout was reached"), Qt::CaseInsensitive) ||
           detail.contains(QStringLiteral("did not receive a reply"), Qt::CaseInsensitive);
}

AuthError withContext(StorageFailure reason, const QString &what, const QString &detail,
                      KeychainOperation operation, const QString &service, const QString &key)
{
    QString context =
        QStringLiteral("%1 '%2' in keychain service '%3'").arg(operationName(operation), key, service);
    if (!detail.isEmpty())
        context += QStringLiteral(": ") + detail;
    return storageError(reason, what + QStringLiteral(" (") + context + QLatin1Char(')'));
}

} // namespace

QString noKeychainMessage()
{
    return QStringLiteral("No keychain (Secret Service) is reachable: start gnome-keyring or KWallet, or use "
                          "memory-only mode.");
}

QString lockedKeychainMessage()
{
    return QStringLiteral("The keychain is locked: unlock it (log in again, or use Passwords and Keys or "
                          "KWallet Manager) and try again.");
}

QString accessDeniedMessage()
{
    return QStringLiteral("The keychain refused access: allow Azid when the keychain asks (or ask whoever "
                          "manages this machine's keychain policy), then try again.");
}

QString timeoutMessage(std::chrono::milliseconds timeout)
{
    return QStringLiteral("The keychain did not answer within %1 s: it may be waiting for you to "
                          "unlock it or to allow access; answer its prompt, then try again.")
        .arg(double(timeout.count()) / 1000.0);
}

StorageFailure classifyKeychainMessage(const QString &detail)
{
    if (meansNoSecretService(detail))
        return StorageFailure::KeychainUnavailable;
    if (meansNoUsableCollection(detail))
        return StorageFailure::KeychainLocked;
    if (meansAccessDenied(detail))
        return StorageFailure::KeychainAccessDenied;
    if (meansNoAnswer(detail))
        return StorageFailure::KeychainTimeout;
    if (detail.contains(QStringLiteral("locked"), Qt::CaseInsensitive))
        return StorageFailure::KeychainLocked;
    return StorageFailure::KeychainFailed;
}

QString keychainAdvice(StorageFailure reason)
{
    switch (reason) {
    case StorageFailure::KeychainUnavailable:
        return noKeychainMessage();
    case StorageFailure::KeychainLocked:
        return QStringLiteral(
            "The keychain is locked, or has no default collection it could unlock: unlock or create the "
            "\"login\" keyring (log in again, or use Passwords and Keys or KWallet Manager), then try "
            "again.");
    case StorageFailure::KeychainAccessDenied:
        return accessDeniedMessage();
    case StorageFailure::KeychainTimeout:
        return QStringLiteral(
            "The keychain did not answer: it may be busy or waiting at a prompt; try again.");
    default:
        return QStringLiteral("The keychain failed; try again, and check that it is running and unlocked.");
    }
}

AuthError keychainError(QKeychain::Error code, const QString &detail, KeychainOperation operation,
                        const QString &service, const QString &key)
{
    StorageFailure reason = StorageFailure::KeychainFailed;
    QString what;
    switch (code) {
    case QKeychain::NoBackendAvailable:
        reason = StorageFailure::KeychainUnavailable;
        what = noKeychainMessage();
        break;
    case QKeychain::AccessDenied:
        // libsecret's "is locked"; other backends use it for refusals as well.
        if (detail.contains(QStringLiteral("lock"), Qt::CaseInsensitive) || detail.isEmpty()) {
            reason = StorageFailure::KeychainLocked;
            what = lockedKeychainMessage();
        } else {
            reason = StorageFailure::KeychainAccessDenied;
            what = accessDeniedMessage();
        }
        break;
    case QKeychain::AccessDeniedByUser:
        reason = StorageFailure::KeychainAccessDenied;
        what = QStringLiteral(
            "Access to the keychain was denied at its prompt: allow Azid when the keychain asks, "
            "then try again.");
        break;
    case QKeychain::CouldNotDeleteEntry:
        what = QStringLiteral(
            "The keychain could not delete the item: check that it is unlocked and try again.");
        break;
    case QKeychain::NotImplemented:
        what = QStringLiteral("This keychain does not support the operation on this system.");
        break;
    case QKeychain::EntryNotFound:
        what = QStringLiteral("The keychain reported the item as missing.");
        break;
    case QKeychain::NoError:
    case QKeychain::OtherError:
        reason = classifyKeychainMessage(detail);
        what = keychainAdvice(reason);
        break;
    }
    return withContext(reason, what, detail, operation, service, key);
}

AuthError keychainTimeoutError(std::chrono::milliseconds timeout, KeychainOperation operation,
                               const QString &service, const QString &key)
{
    return withContext(StorageFailure::KeychainTimeout, timeoutMessage(timeout), QString(), operation,
                       service, key);
}

} // namespace azid::detail
