#include "azid/keychain/storagelocation.h"

#include "azid/keychain/tokencachepersistenceoptions.h"

#include <QDir>
#include <QStandardPaths>

namespace azid {

namespace {

bool isSafeName(const QString &name, qsizetype maxLength)
{
    if (name.isEmpty() || name.size() > maxLength || name.startsWith(QLatin1Char('.')))
        return false;
    for (QChar c : name) {
        const bool ok = (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
                        (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
                        (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('.') ||
                        c == QLatin1Char('_') || c == QLatin1Char('-');
        if (!ok)
            return false;
    }
    return true;
}

bool isDefaultProfile(const QString &profile)
{
    return profile.isEmpty() || profile == QLatin1String("default");
}

} // namespace

bool isValidProfileName(const QString &profile)
{
    return profile.isEmpty() || isSafeName(profile, 64);
}

QString keychainServiceName(const QString &profile)
{
    return isDefaultProfile(profile) ? QStringLiteral("azid") : QStringLiteral("azid-") + profile;
}

QString profileDataDirectory(const QString &profile)
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base).filePath(QStringLiteral("azid/") +
                               (isDefaultProfile(profile) ? QStringLiteral("default") : profile));
}

bool isValidCacheName(const QString &name)
{
    return isSafeName(name, 128);
}

QString defaultCacheFilePath(const QString &profile, const QString &cacheName)
{
    return QDir(profileDataDirectory(profile)).filePath(cacheName + QStringLiteral(".bin"));
}

QString unencryptedCacheFilePath(const QString &profile, const QString &cacheName)
{
    return QDir(profileDataDirectory(profile)).filePath(cacheName + QStringLiteral(".json"));
}

QString identityServiceDirectory()
{
    return QDir::home().filePath(QStringLiteral(".IdentityService"));
}

} // namespace azid
