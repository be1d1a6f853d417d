#include "directory.h"

#include "encoding.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

namespace {

// The default directory, in the same shape --config accepts (see README.md).
constexpr char builtInDirectory[] = R"json({
  "tenants": [
    {"name": "contoso", "id": "72f988bf-86f1-41af-91ab-2d7cd011db47", "domain": "contoso.test"},
    {"name": "fabrikam", "id": "f8cdef31-a31e-4b4a-93e4-5f571e91255a", "domain": "fabrikam.test"}
  ],
  "users": [
    {"username": "alice@contoso.test", "password": "alice-password-1", "display_name": "Alice Example",
     "oid": "26b3a69f-4634-4768-a9eb-1f008766af1d", "home_tenant": "contoso", "guest_of": ["fabrikam"]},
    {"username": "bob@contoso.test", "password": "bob-password-1", "display_name": "Bob Example",
     "oid": "f828216b-c942-4b00-a6cc-e05948183432", "home_tenant": "contoso"},
    {"username": "mfa@contoso.test", "password": "mfa-password-1", "display_name": "Mfa Required",
     "oid": "b55253d9-2542-4f19-a126-44ff9feed088", "home_tenant": "contoso", "password_grant": "mfa_required"},
    {"username": "enrol@contoso.test", "password": "enrol-password-1", "display_name": "Mfa Enrolment",
     "oid": "21459f88-bd16-4a2f-adf6-61c2265d86d0", "home_tenant": "contoso",
     "password_grant": "mfa_registration_required"},
    {"username": "consent@contoso.test", "password": "consent-password-1", "display_name": "Consent Missing",
     "oid": "cbca9131-63bd-48f2-8c58-dc1325e89d3b", "home_tenant": "contoso", "password_grant": "consent_required"},
    {"username": "fed@fabrikam.test", "password": "fed-password-1", "display_name": "Federated User",
     "oid": "585a92ff-0154-4611-b928-d8f32d2b182a", "home_tenant": "fabrikam", "federated": true}
  ],
  "apps": [
    {"client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "name": "Microsoft Azure CLI", "public": true, "family": "1"},
    {"client_id": "1950a258-227b-4e31-a9cf-717495945fc2", "name": "Microsoft Azure PowerShell", "public": true,
     "family": "1"},
    {"client_id": "11111111-2222-3333-4444-555555555555", "name": "Azid test app", "public": true},
    {"client_id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "name": "Azid sandbox daemon", "public": false,
     "secret": "sandbox-client-secret-1"}
  ]
})json";

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

QByteArray Directory::builtInJson()
{
    return QByteArray(builtInDirectory);
}

Directory Directory::builtIn()
{
    QString error;
    std::optional<Directory> directory = fromJson(builtInJson(), &error);
    Q_ASSERT_X(directory, "Directory::builtIn", qPrintable(error));
    directory->m_builtIn = true;
    return *directory;
}

std::optional<Directory> Directory::fromJson(const QByteArray &json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (!document.isObject()) {
        fail(error, u"directory JSON: %1"_s.arg(parseError.errorString()));
        return std::nullopt;
    }
    const QJsonObject root = document.object();
    Directory directory;

    for (const QJsonValue &value : root.value(u"tenants"_s).toArray()) {
        const QJsonObject object = value.toObject();
        Tenant tenant{object.value(u"name"_s).toString(), object.value(u"id"_s).toString().toLower(),
                      object.value(u"domain"_s).toString().toLower()};
        if (tenant.id.isEmpty() || tenant.domain.isEmpty()) {
            fail(error, u"directory JSON: every tenant needs an id and a domain"_s);
            return std::nullopt;
        }
        if (tenant.name.isEmpty())
            tenant.name = tenant.domain;
        directory.m_tenants.append(tenant);
    }

    for (const QJsonValue &value : root.value(u"users"_s).toArray()) {
        const QJsonObject object = value.toObject();
        User user;
        user.username = object.value(u"username"_s).toString();
        user.password = object.value(u"password"_s).toString();
        if (user.username.isEmpty() || !user.username.contains(u'@')) {
            fail(error, u"directory JSON: user without a username of the form name@domain"_s);
            return std::nullopt;
        }
        user.oid = object.value(u"oid"_s).toString().toLower();
        if (user.oid.isEmpty())
            user.oid = encoding::stableGuid("user:" + user.username.toLower().toUtf8());
        user.displayName = object.value(u"display_name"_s).toString(user.username.section(u'@', 0, 0));
        const Tenant *home = directory.findTenant(object.value(u"home_tenant"_s).toString());
        if (!home)
            home = directory.tenantByDomain(user.username.section(u'@', 1));
        if (!home) {
            fail(error, u"directory JSON: user %1 has no known home_tenant"_s.arg(user.username));
            return std::nullopt;
        }
        user.homeTenantId = home->id;
        user.tenantIds.append(home->id);
        for (const QJsonValue &guestOf : object.value(u"guest_of"_s).toArray()) {
            const Tenant *tenant = directory.findTenant(guestOf.toString());
            if (!tenant) {
                fail(error, u"directory JSON: user %1 is a guest of unknown tenant %2"_s.arg(
                                user.username, guestOf.toString()));
                return std::nullopt;
            }
            if (!user.tenantIds.contains(tenant->id))
                user.tenantIds.append(tenant->id);
        }
        const QString outcome = object.value(u"password_grant"_s).toString(u"ok"_s);
        if (outcome == u"ok")
            user.passwordGrant = PasswordGrantOutcome::Ok;
        else if (outcome == u"mfa_required")
            user.passwordGrant = PasswordGrantOutcome::MfaRequired;
        else if (outcome == u"mfa_registration_required")
            user.passwordGrant = PasswordGrantOutcome::MfaRegistrationRequired;
        else if (outcome == u"consent_required")
            user.passwordGrant = PasswordGrantOutcome::ConsentRequired;
        else {
            fail(error, u"directory JSON: unknown password_grant value %1"_s.arg(outcome));
            return std::nullopt;
        }
        user.federated = object.value(u"federated"_s).toBool();
        directory.m_users.append(user);
    }

    for (const QJsonValue &value : root.value(u"apps"_s).toArray()) {
        const QJsonObject object = value.toObject();
        App app;
        app.clientId = object.value(u"client_id"_s).toString().toLower();
        app.name = object.value(u"name"_s).toString(app.clientId);
        app.isPublic = object.value(u"public"_s).toBool(true);
        app.family = object.value(u"family"_s).toString();
        app.secret = object.value(u"secret"_s).toString();
        if (app.clientId.isEmpty() || (!app.isPublic && app.secret.isEmpty())) {
            fail(error, u"directory JSON: apps need a client_id, confidential ones a secret"_s);
            return std::nullopt;
        }
        directory.m_apps.append(app);
    }

    if (directory.m_tenants.isEmpty() || directory.m_users.isEmpty() || directory.m_apps.isEmpty()) {
        fail(error, u"directory JSON: needs at least one tenant, user and app"_s);
        return std::nullopt;
    }
    return directory;
}

const Tenant *Directory::findTenant(const QString &reference) const
{
    for (const Tenant &tenant : m_tenants) {
        if (tenant.name.compare(reference, Qt::CaseInsensitive) == 0 ||
            tenant.id.compare(reference, Qt::CaseInsensitive) == 0 ||
            tenant.domain.compare(reference, Qt::CaseInsensitive) == 0)
            return &tenant;
    }
    return nullptr;
}

TenantPath Directory::resolveTenant(const QString &segment) const
{
    TenantPath path;
    path.segment = segment;
    const QString lower = segment.toLower();
    if (lower == u"common")
        path.kind = TenantPath::Kind::Common;
    else if (lower == u"organizations")
        path.kind = TenantPath::Kind::Organizations;
    else if (lower == u"consumers")
        path.kind = TenantPath::Kind::Consumers;
    else if ((path.tenant = tenantById(lower)) || (path.tenant = tenantByDomain(lower)))
        path.kind = TenantPath::Kind::Specific;
    return path;
}

const Tenant *Directory::tenantById(const QString &id) const
{
    for (const Tenant &tenant : m_tenants) {
        if (tenant.id.compare(id, Qt::CaseInsensitive) == 0)
            return &tenant;
    }
    return nullptr;
}

const Tenant *Directory::tenantByDomain(const QString &domain) const
{
    for (const Tenant &tenant : m_tenants) {
        if (tenant.domain.compare(domain, Qt::CaseInsensitive) == 0)
            return &tenant;
    }
    return nullptr;
}

const User *Directory::user(const QString &username) const
{
    for (const User &candidate : m_users) {
        if (candidate.username.compare(username.trimmed(), Qt::CaseInsensitive) == 0)
            return &candidate;
    }
    return nullptr;
}

const App *Directory::app(const QString &clientId) const
{
    for (const App &candidate : m_apps) {
        if (candidate.clientId.compare(clientId, Qt::CaseInsensitive) == 0)
            return &candidate;
    }
    return nullptr;
}

bool Directory::addApp(const App &app)
{
    if (this->app(app.clientId))
        return false;
    m_apps.append(app);
    return true;
}

void Directory::addGeneratedUsers(int count)
{
    const Tenant &tenant = m_tenants.first();
    for (int n = 1; n <= count; ++n) {
        User generated;
        generated.username = u"user%1@%2"_s.arg(n).arg(tenant.domain);
        if (user(generated.username))
            continue;
        generated.password = u"user%1-password-1"_s.arg(n);
        generated.displayName = u"Generated User %1"_s.arg(n);
        generated.oid = encoding::stableGuid("user:" + generated.username.toUtf8());
        generated.homeTenantId = tenant.id;
        generated.tenantIds = {tenant.id};
        m_users.append(generated);
    }
}

const User *Directory::defaultUser() const
{
    return m_users.isEmpty() ? nullptr : &m_users.first();
}

bool Directory::canSignIn(const User &user, const TenantPath &path) const
{
    switch (path.kind) {
    case TenantPath::Kind::Common:
    case TenantPath::Kind::Organizations:
        return true;
    case TenantPath::Kind::Specific:
        return user.tenantIds.contains(path.tenant->id);
    case TenantPath::Kind::Consumers: // the directory only holds work accounts
    case TenantPath::Kind::Unknown:
        return false;
    }
    return false;
}

QString Directory::issuingTenant(const User &user, const TenantPath &path) const
{
    return path.isSpecific() ? path.tenant->id : user.homeTenantId;
}

} // namespace azid::sandbox
