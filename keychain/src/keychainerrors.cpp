#include "keychainerrors.h"

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

AuthError withContext(const QString &what, const QString &detail, KeychainOperation operation,
                      const QString &service, const QString &key)
{
    QString context =
        QStringLiteral("%1 '%2' in keychain service '%3'").arg(operationName(operation), key, service);
    if (!detail.isEmpty())
        context += QStringLiteral(": ") + detail;
    return AuthError::unavailable(what + QStringLiteral(" (") + context + QLatin1Char(')'));
}

} // namespace

QString noKeychainMessage()
{
    return QStringLiteral("No keychain (Secret Service) is reachable: start gnome-keyring or KWallet, or use "
                          "memory-only mode.");
}

AuthError keychainError(QKeychain::Error code, const QString &detail, KeychainOperation operation,
                        const QString &service, const QString &key)
{
    QString what;
    switch (code) {
    case QKeychain::NoBackendAvailable:
        what = noKeychainMessage();
        break;
    case QKeychain::AccessDenied:
        what = QStringLiteral(
            "The keychain is locked or refused access: unlock it (log in again, or use Passwords "
            "and Keys or KWallet Manager) and try again.");
        break;
    case QKeychain::AccessDeniedByUser:
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
        if (meansNoSecretService(detail)) {
            what = noKeychainMessage();
        } else if (meansNoUsableCollection(detail)) {
            what = QStringLiteral(
                "The keychain has no default collection it could unlock: unlock or create the "
                "\"login\" keyring (log in again, or use Passwords and Keys), then try again.");
        } else {
            what =
                QStringLiteral("The keychain failed; try again, and check that it is running and unlocked.");
        }
        break;
    }
    return withContext(what, detail, operation, service, key);
}

AuthError keychainTimeoutError(std::chrono::milliseconds timeout, KeychainOperation operation,
                               const QString &service, const QString &key)
{
    const QString what =
        QStringLiteral("The keychain did not answer within %1 s: it may be waiting for you to "
                       "unlock it or to allow access; answer its prompt, then try again.")
            .arg(double(timeout.count()) / 1000.0);
    return withContext(what, QString(), operation, service, key);
}

} // namespace azid::detail
