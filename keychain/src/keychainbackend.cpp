// GLib comes first: Qt's "signals" keyword would break GIO's headers.
#ifdef AZID_HAVE_LIBSECRET
#include <gio/gio.h>
#endif

#include "keychainbackend.h"

#include "atomicfile.h"
#include "azid/keychain/storagefailure.h"
#include "azid/keychain/storagelocation.h"
#include "keychainlogging.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QMutex>

namespace azid::detail {

QString backendKey(KeychainBackend backend)
{
    return backend == KeychainBackend::KWallet ? QStringLiteral("kwallet") : QStringLiteral("secret-service");
}

std::optional<KeychainBackend> backendFromKey(const QString &key)
{
    const QString trimmed = key.trimmed();
    if (trimmed == QLatin1String("kwallet"))
        return KeychainBackend::KWallet;
    if (trimmed == QLatin1String("secret-service"))
        return KeychainBackend::SecretService;
    return std::nullopt;
}

QString backendDisplayName(KeychainBackend backend)
{
    return backend == KeychainBackend::KWallet ? QStringLiteral("KWallet")
                                               : QStringLiteral("the Secret Service (gnome-keyring)");
}

#ifdef AZID_HAVE_LIBSECRET

namespace {

enum class Desktop { Kde4, Plasma5, Plasma6, Other };

Desktop kdeVersion()
{
    const QByteArray version = qgetenv("KDE_SESSION_VERSION");
    if (version == "6")
        return Desktop::Plasma6;
    if (version == "5")
        return Desktop::Plasma5;
    if (version == "4")
        return Desktop::Kde4;
    return Desktop::Other;
}

// QtKeychain's reading of the session (after Chromium's): only the KDE answers matter here.
Desktop desktop()
{
    const QByteArray current = qgetenv("XDG_CURRENT_DESKTOP");
    if (current == "KDE")
        return kdeVersion();
    if (!current.isEmpty() && (current == "GNOME" || current == "Unity" || current == "XFCE"))
        return Desktop::Other;
    const QByteArray session = qgetenv("DESKTOP_SESSION");
    if (session == "kde")
        return kdeVersion();
    if (session == "kde4")
        return Desktop::Kde4;
    if (session == "gnome" || session.contains("xfce") || session == "xubuntu")
        return Desktop::Other;
    if (!qEnvironmentVariableIsEmpty("GNOME_DESKTOP_SESSION_ID"))
        return Desktop::Other;
    if (!qEnvironmentVariableIsEmpty("KDE_FULL_SESSION"))
        return kdeVersion();
    return Desktop::Other;
}

// Whether kwalletd answers on the session bus, as QtKeychain asks it (half a second at most).
bool kwalletAnswers(const char *name, const char *path)
{
    GError *error = nullptr;
    GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, nullptr, &error);
    if (!bus) {
        g_clear_error(&error);
        return false;
    }
    GVariant *reply =
        g_dbus_connection_call_sync(bus, name, path, "org.kde.KWallet", "networkWallet", nullptr, nullptr,
                                    G_DBUS_CALL_FLAGS_NONE, 500, nullptr, &error);
    const bool answered = reply != nullptr;
    if (reply)
        g_variant_unref(reply);
    g_clear_error(&error);
    g_object_unref(bus);
    return answered;
}

} // namespace

std::optional<KeychainBackend> qtKeychainBackend()
{
    static const KeychainBackend backend = [] {
        switch (desktop()) {
        case Desktop::Kde4:
            return KeychainBackend::KWallet;
        case Desktop::Plasma5:
            return kwalletAnswers("org.kde.kwalletd5", "/modules/kwalletd5") ? KeychainBackend::KWallet
                                                                             : KeychainBackend::SecretService;
        case Desktop::Plasma6:
            return kwalletAnswers("org.kde.kwalletd6", "/modules/kwalletd6") ? KeychainBackend::KWallet
                                                                             : KeychainBackend::SecretService;
        case Desktop::Other:
            break;
        }
        // QtKeychain prefers libsecret everywhere else, which Azid's packages depend on.
        return KeychainBackend::SecretService;
    }();
    return backend;
}

#else

std::optional<KeychainBackend> qtKeychainBackend()
{
    return std::nullopt;
}

#endif

QString backendPinPath(const QString &profile)
{
    return QDir(profileDataDirectory(profile)).filePath(QStringLiteral("keychain-backend"));
}

namespace {

// The pins this process read or wrote, so that the file is read once per profile, not at every
// keychain operation (nothing but this process's pinBackend() writes it while it runs).
QMutex pinsMutex;
QHash<QString, std::optional<KeychainBackend>> &knownPins()
{
    static QHash<QString, std::optional<KeychainBackend>> pins;
    return pins;
}

} // namespace

std::optional<KeychainBackend> pinnedBackend(const QString &profile)
{
    {
        const QMutexLocker locker(&pinsMutex);
        if (const auto known = knownPins().constFind(profile); known != knownPins().constEnd())
            return *known;
    }
    const auto file = readWholeFile(backendPinPath(profile));
    const std::optional<KeychainBackend> pin =
        file && file.value() ? backendFromKey(QString::fromUtf8(file.value()->data)) : std::nullopt;
    const QMutexLocker locker(&pinsMutex);
    knownPins().insert(profile, pin);
    return pin;
}

void pinBackend(const QString &profile, KeychainBackend backend)
{
    if (pinnedBackend(profile))
        return;
    {
        const QMutexLocker locker(&pinsMutex);
        knownPins().insert(profile, backend);
    }
    const QString path = backendPinPath(profile);
    if (const std::optional<QString> problem = ensureDirectory(QFileInfo(path).absolutePath())) {
        qCWarning(lcKeychain).noquote() << "cannot record the profile's keychain:" << *problem;
        return;
    }
    const auto written = writeFileAtomically(path, backendKey(backend).toUtf8() + '\n');
    if (!written)
        qCWarning(lcKeychain).noquote() << "cannot record the profile's keychain:" << written.error().message;
}

std::optional<AuthError> backendMismatch(const QString &profile)
{
    const auto pinned = pinnedBackend(profile);
    const auto current = qtKeychainBackend();
    if (!pinned || !current || *pinned == *current)
        return std::nullopt;
    return storageError(
        StorageFailure::KeychainUnavailable,
        QStringLiteral("This profile keeps its accounts and keys in %1, but this session would use %2, "
                       "which does not hold them (the keychain is chosen by desktop session: KWallet in "
                       "a KDE session, the Secret Service elsewhere). Run Azid in a session that uses %1 "
                       "(for KWallet: a KDE session; for the Secret Service: set XDG_CURRENT_DESKTOP to "
                       "something other than KDE), or delete %3 if you moved your items to %2 yourself.")
            .arg(backendDisplayName(*pinned), backendDisplayName(*current), backendPinPath(profile)));
}

} // namespace azid::detail
