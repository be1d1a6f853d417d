#include "grantstore.h"

#include "encoding.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

namespace {

// Expired codes stay answerable as "expired" for a while before they are forgotten.
constexpr qint64 forgetAfterMs = 3600 * 1000;

template <typename Map, typename Expiry> void eraseIf(Map &map, Expiry isStale)
{
    for (auto it = map.begin(); it != map.end();) {
        if (isStale(it->second))
            it = map.erase(it);
        else
            ++it;
    }
}

template <typename Map> auto *find(Map &map, const QString &key)
{
    const auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
}

} // namespace

QString GrantStore::addCode(AuthorizationCode code)
{
    purgeExpired();
    // Entra codes start with a version marker; the rest carries no information.
    const QString value = u"1.AXoA"_s + encoding::randomToken(64);
    m_codes.insert_or_assign(value, std::move(code));
    return value;
}

AuthorizationCode *GrantStore::code(const QString &code)
{
    return find(m_codes, code);
}

DeviceAuthorization &GrantStore::addDevice(DeviceAuthorization device)
{
    purgeExpired();
    // User codes must be unique among live device authorizations.
    do {
        device.userCode = encoding::randomUserCode(9);
    } while (deviceByUserCode(device.userCode));
    device.deviceCode = u"DAQABIQEAAAD"_s + encoding::randomToken(96);
    const QString key = device.deviceCode;
    return m_devices.insert_or_assign(key, std::move(device)).first->second;
}

DeviceAuthorization *GrantStore::deviceByDeviceCode(const QString &deviceCode)
{
    return find(m_devices, deviceCode);
}

DeviceAuthorization *GrantStore::deviceByUserCode(const QString &userCode)
{
    const QString normalized = normalizeUserCode(userCode);
    for (auto &[key, device] : m_devices) {
        if (device.userCode == normalized)
            return &device;
    }
    return nullptr;
}

void GrantStore::removeDevice(const QString &deviceCode)
{
    m_devices.erase(deviceCode);
}

QString GrantStore::addRefreshToken(RefreshTokenGrant grant, int *id)
{
    grant.id = m_nextRefreshTokenId++;
    grant.issuedAtMs = encoding::nowMs();
    if (id)
        *id = grant.id;
    const QString value = u"1.AXoAsandbox."_s + encoding::randomToken(96);
    m_refreshTokens.insert_or_assign(value, std::move(grant));
    return value;
}

RefreshTokenGrant *GrantStore::refreshToken(const QString &token)
{
    return find(m_refreshTokens, token);
}

int GrantStore::revokeRefreshTokens(const QString &username)
{
    int count = 0;
    for (auto &[token, grant] : m_refreshTokens) {
        if (!grant.revoked && grant.username.compare(username, Qt::CaseInsensitive) == 0) {
            grant.revoked = true;
            ++count;
        }
    }
    return count;
}

QList<RefreshTokenGrant> GrantStore::refreshTokenGrants() const
{
    QList<RefreshTokenGrant> grants;
    for (const auto &[token, grant] : m_refreshTokens)
        grants.append(grant);
    std::sort(grants.begin(), grants.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    return grants;
}

InteractionSession &GrantStore::addSession(InteractionSession session)
{
    purgeExpired();
    session.id = encoding::randomToken(24);
    const QString key = session.id;
    return m_sessions.insert_or_assign(key, std::move(session)).first->second;
}

InteractionSession *GrantStore::session(const QString &id)
{
    InteractionSession *session = find(m_sessions, id);
    return session && session->expiresAtMs > encoding::nowMs() ? session : nullptr;
}

void GrantStore::removeSession(const QString &id)
{
    m_sessions.erase(id);
}

void GrantStore::requireClaims(const QString &username, const QString &claims)
{
    m_requiredClaims.insert_or_assign(username.toLower(), claims);
}

std::optional<QString> GrantStore::requiredClaims(const QString &username) const
{
    const auto it = m_requiredClaims.find(username.toLower());
    return it == m_requiredClaims.end() ? std::nullopt : std::optional<QString>(it->second);
}

void GrantStore::clearRequiredClaims(const QString &username)
{
    m_requiredClaims.erase(username.toLower());
}

QString GrantStore::normalizeUserCode(const QString &userCode)
{
    QString normalized;
    for (const QChar c : userCode) {
        if (c.isLetterOrNumber())
            normalized.append(c.toUpper());
    }
    return normalized;
}

void GrantStore::purgeExpired()
{
    const qint64 cutoff = encoding::nowMs() - forgetAfterMs;
    eraseIf(m_codes, [cutoff](const AuthorizationCode &code) { return code.expiresAtMs < cutoff; });
    eraseIf(m_devices, [cutoff](const DeviceAuthorization &device) { return device.expiresAtMs < cutoff; });
    eraseIf(m_sessions, [cutoff](const InteractionSession &session) { return session.expiresAtMs < cutoff; });
}

} // namespace azid::sandbox
