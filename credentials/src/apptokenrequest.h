#pragma once

#include <QString>
#include <QStringList>

namespace azid::detail {

struct AppTokenRequest
{
    QStringList scopes;
    QString claims; // merged with client capabilities when CAE is on
    QString tenant; // resolved: the credential's, or an allowed one the caller asked for
    bool cae = false;
};

} // namespace azid::detail
