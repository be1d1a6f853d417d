#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace azid::sandbox {

struct Tenant
{
    QString name;
    QString id;
    QString domain;
};

// What a password (ROPC) grant runs into after the password itself was accepted.
enum class PasswordGrantOutcome { Ok, MfaRequired, MfaRegistrationRequired, ConsentRequired };

struct User
{
    QString username;
    QString password;
    QString oid;
    QString displayName;
    QString homeTenantId;
    QStringList tenantIds; // home tenant first, then tenants the user is a guest in
    PasswordGrantOutcome passwordGrant = PasswordGrantOutcome::Ok;
    bool federated = false;
};

struct App
{
    QString clientId;
    QString name;
    bool isPublic = true;
    QString family; // "1" for FOCI members, empty otherwise
    QString secret; // confidential clients only
    // DER of the certificates whose keys may sign client assertions (registered at runtime through
    // POST /_sandbox/apps).
    QList<QByteArray> certificates;
};

// The tenant path segment of a request, resolved against the directory.
struct TenantPath
{
    enum class Kind { Common, Organizations, Consumers, Specific, Unknown };
    Kind kind = Kind::Unknown;
    QString segment;
    const Tenant *tenant = nullptr;

    bool isSpecific() const { return kind == Kind::Specific; }
};

// Tenants, users and app registrations the sandbox knows. Built in, or loaded from --config.
class Directory
{
public:
    static Directory builtIn();
    static std::optional<Directory> fromJson(const QByteArray &json, QString *error);
    static QByteArray builtInJson();

    bool isBuiltIn() const { return m_builtIn; }
    TenantPath resolveTenant(const QString &segment) const;
    const Tenant *tenantById(const QString &id) const;
    const Tenant *tenantByDomain(const QString &domain) const;
    const User *user(const QString &username) const;
    const App *app(const QString &clientId) const;
    // Registers an app at runtime; false when its client id is taken.
    bool addApp(const App &app);
    // Adds `count` users of the first tenant for profiles of many accounts (--generate-users):
    // user1@<domain> ... user<count>@<domain>, password "user<n>-password-1", home account ids that
    // stay the same from run to run. Names the directory already has are skipped.
    void addGeneratedUsers(int count);
    const QList<User> &users() const { return m_users; }
    const QList<App> &apps() const { return m_apps; }
    const User *defaultUser() const;

    // Whether the user may get tokens when signing in at this tenant path.
    bool canSignIn(const User &user, const TenantPath &path) const;
    // The tid tokens carry: the path's tenant, or the user's home tenant for common/organizations.
    QString issuingTenant(const User &user, const TenantPath &path) const;

private:
    const Tenant *findTenant(const QString &reference) const;

    QList<Tenant> m_tenants;
    QList<User> m_users;
    QList<App> m_apps;
    bool m_builtIn = false;
};

} // namespace azid::sandbox
