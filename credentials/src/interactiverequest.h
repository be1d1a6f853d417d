#pragma once

#include <QString>
#include <QStringList>

namespace azid::detail {

struct InteractiveRequest
{
    QString tenant;
    QStringList scopes;
    QString claims; // merged with client capabilities when CAE is on
    bool cae = false;
};

// azure.identity's resolve_tenant: the tenant a request may use, or an error message.
struct TenantChoice
{
    QString tenant;
    QString error;
};
TenantChoice resolveTenant(const QString &configured, const QString &requested,
                           const QStringList &additionallyAllowed);

} // namespace azid::detail
