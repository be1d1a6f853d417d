#include "azid/model/accountselection.h"

namespace azid::model {

Result<StoredAccount> selectAccount(const QList<StoredAccount> &accounts, const QString &selector,
                                    const QString &profile)
{
    if (accounts.isEmpty()) {
        const bool isDefaultProfile = profile.isEmpty() || profile == QStringLiteral("default");
        return AuthError::unavailable(
            QStringLiteral("No account is signed in%1. Sign in with: azid-cli login --flow browser")
                .arg(isDefaultProfile ? QString() : QStringLiteral(" in profile \"%1\"").arg(profile)));
    }
    QList<StoredAccount> matches;
    for (const StoredAccount &account : accounts) {
        if (selector.isEmpty() ? account.metadata.isDefault
                               : (account.record.username.compare(selector, Qt::CaseInsensitive) == 0 ||
                                  account.record.homeAccountId.compare(selector, Qt::CaseInsensitive) == 0))
            matches.append(account);
    }
    if (selector.isEmpty() && matches.isEmpty() && accounts.size() == 1)
        matches = accounts;
    if (matches.size() == 1)
        return matches.first();
    QStringList names;
    for (const StoredAccount &account : accounts)
        names << account.record.username;
    if (matches.isEmpty() && !selector.isEmpty()) {
        return AuthError::unavailable(QStringLiteral("No signed-in account matches \"%1\". Signed in: %2.")
                                          .arg(selector, names.join(QStringLiteral(", "))));
    }
    return AuthError::unavailable(
        QStringLiteral(
            "Several accounts are signed in (%1) and none is the default: choose one with --account, "
            "or make one the default with azid-cli login --default.")
            .arg(names.join(QStringLiteral(", "))));
}

} // namespace azid::model
