// azid-cli accounts list | show | remove | export | import | restore-cache: the stored accounts, with
// the account model's rules for records in and out.
#include "commands.h"
#include "output.h"
#include "profile.h"
#include "storage.h"
#include "wait.h"

#include "azid/boundedfile.h"
#include "azid/model/records.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace azid::cli {
namespace {

QJsonObject accountJson(const StoredAccount &account)
{
    QJsonObject object = QJsonDocument::fromJson(account.record.serialize().toUtf8()).object();
    object.insert(QStringLiteral("signInMethod"), account.metadata.signInMethod);
    object.insert(QStringLiteral("lastSignIn"), account.metadata.lastSignIn);
    object.insert(QStringLiteral("isDefault"), account.metadata.isDefault);
    object.insert(QStringLiteral("shareWithAzureTools"), account.metadata.shareWithAzureTools);
    return object;
}

// Token caches an earlier version set aside while the keychain was locked, which its key still opens.
void tellRestorableCaches(Profile &profile)
{
    const Result<QStringList> copies = profile.restorableCaches();
    if (!copies)
        return;
    for (const QString &copy : copies.value()) {
        printNote(QStringLiteral("azid-cli: the token cache %1 was set aside earlier and can still be "
                                 "decrypted; restore its sign-ins with: azid-cli%2 accounts restore-cache "
                                 "--file '%1'")
                      .arg(copy, profile.name() == QStringLiteral("default")
                                     ? QString()
                                     : QStringLiteral(" --profile ") + profile.name()));
    }
}

QByteArray formatAccounts(const QList<StoredAccount> &all, OutputFormat format)
{
    if (format == OutputFormat::Json) {
        QJsonArray array;
        for (const StoredAccount &account : all)
            array.append(accountJson(account));
        return QJsonDocument(array).toJson(QJsonDocument::Compact);
    }
    if (format == OutputFormat::Raw) {
        QStringList names;
        for (const StoredAccount &account : all)
            names << account.record.username;
        return names.join(QLatin1Char('\n')).toUtf8();
    }
    QList<QStringList> rows{{QStringLiteral("USER"), QStringLiteral("TENANT"), QStringLiteral("AUTHORITY"),
                             QStringLiteral("METHOD"), QStringLiteral("LAST SIGN-IN"),
                             QStringLiteral("DEFAULT")}};
    for (const StoredAccount &account : all) {
        rows.append({account.record.username, account.record.tenantId, account.record.authority,
                     account.metadata.signInMethod,
                     QDateTime::fromSecsSinceEpoch(account.metadata.lastSignIn).toString(Qt::ISODate),
                     account.metadata.isDefault ? QStringLiteral("*") : QString()});
    }
    return formatTable(rows);
}

int list(const Arguments &a, Profile &profile)
{
    const Result<QList<StoredAccount>> all = profile.listAccounts();
    if (!all.ok())
        return fail(all.error(), a);
    tellRestorableCaches(profile);
    printResult(formatAccounts(all.value(), a.output));
    return ExitSuccess;
}

int restoreCache(const Arguments &a, Profile &profile)
{
    if (const VoidResult restored = profile.restoreCache(a.file); !restored.ok())
        return fail(restored.error(), a);
    printNote(
        QStringLiteral("Restored the sign-ins of %1 into the token cache, and deleted it.").arg(a.file));
    return ExitSuccess;
}

QString userNames(const QList<AuthenticationRecord> &records)
{
    QStringList names;
    for (const AuthenticationRecord &record : records)
        names << terminalSafe(record.username);
    return names.join(QStringLiteral(", "));
}

// What an import did, on stderr: the new accounts, the ones already here (left as they are: a
// command line cannot ask before replacing one) and the authorities instance discovery still checks.
void printImportNotes(const model::ImportPlan &plan, bool disableInstanceDiscovery)
{
    if (!plan.added.isEmpty() || (plan.present.isEmpty() && plan.replacing.isEmpty()))
        printNote(
            QStringLiteral("Imported %1 account record(s). Tokens come with the next sign-in; until then "
                           "azid-cli token exits with 5 (interaction required).")
                .arg(plan.added.size()));
    if (!plan.present.isEmpty())
        printNote(QStringLiteral("Already present, left as they are: %1.").arg(userNames(plan.present)));
    if (!plan.replacing.isEmpty())
        printNote(QStringLiteral("Already present with a different record, left as they are: %1. To "
                                 "replace one, remove it (azid-cli accounts remove USER), then import again.")
                      .arg(userNames(plan.replacing)));
    if (!disableInstanceDiscovery && !plan.customAuthorities.isEmpty())
        printNote(QStringLiteral("Not one of Microsoft's clouds: %1. Instance discovery keeps checking it; "
                                 "once you trust it, give --disable-instance-discovery (to this import, "
                                 "or to login and token).")
                      .arg(terminalSafe(plan.customAuthorities.join(QStringLiteral(", ")))));
}

int import(const Arguments &a, Profile &profile)
{
    const Result<QByteArray> contents =
        readFileAtMost(a.file, MaxRecordFileBytes, QStringLiteral("The record file %1").arg(a.file));
    if (!contents.ok())
        return fail(contents.error(), a);
    const Result<QList<AuthenticationRecord>> records = model::parseRecords(contents.value());
    if (!records.ok())
        return fail(records.error(), a);
    const Result<QList<StoredAccount>> existing = profile.listAccounts();
    if (!existing.ok())
        return fail(existing.error(), a);
    const model::ImportPlan plan = model::planImport(records.value(), existing.value());
    const model::ImportSettings settings{a.caBundle, a.disableInstanceDiscovery, {}};
    // One change of the account list for all of them (the index and the summaries written once).
    QList<StoredAccount> batch;
    for (const AuthenticationRecord &record : std::as_const(plan.added))
        batch << StoredAccount{record, model::metadataForImport(record, existing.value(), settings)};
    if (const VoidResult stored = wait(profile.accounts().putAll(batch)); !stored.ok())
        return fail(stored.error(), a);
    printImportNotes(plan, a.disableInstanceDiscovery);
    return ExitSuccess;
}

int exportAll(const Arguments &a, Profile &profile)
{
    const Result<QList<StoredAccount>> all = profile.listAccounts();
    if (!all.ok())
        return fail(all.error(), a);
    QList<AuthenticationRecord> records;
    for (const StoredAccount &account : all.value())
        records << account.record;
    const VoidResult written = model::writeRecordsFile(a.file, records, model::RecordsShape::Array);
    if (!written.ok())
        return fail(written.error(), a);
    printNote(
        QStringLiteral("Exported %1 account record(s) to %2 (no tokens).").arg(records.size()).arg(a.file));
    return ExitSuccess;
}

// show, export and remove of one account.
int oneAccount(const Arguments &a, Profile &profile)
{
    const auto account = profile.select(a.selector);
    if (!account.ok())
        return fail(account.error(), a);
    const StoredAccount &selected = account.value();
    if (a.subcommand == QStringLiteral("show")) {
        if (a.output == OutputFormat::Json)
            printResult(QJsonDocument(accountJson(selected)).toJson(QJsonDocument::Compact));
        else
            printResult(formatRecord(selected.record, a.output));
        return ExitSuccess;
    }
    if (a.subcommand == QStringLiteral("export")) {
        if (const VoidResult written = model::writeRecordsFile(a.file, {selected.record}); !written.ok())
            return fail(written.error(), a);
        printNote(QStringLiteral("Exported %1 to %2 (no tokens).").arg(selected.record.username, a.file));
        return ExitSuccess;
    }
    // remove: the cache entries first, then the record and its keychain items; a shared account leaves
    // azure.identity's shared cache too, as in the tray app.
    if (const VoidResult removed = profile.removeAccount(selected.record); !removed.ok())
        return fail(removed.error(), a);
    if (selected.metadata.shareWithAzureTools) {
        if (const VoidResult unshared = shareWithAzureTools(profile, selected.record, false); !unshared.ok())
            printNote(QStringLiteral("azid-cli: warning: the account could not be removed from the shared "
                                     "token cache: ") +
                      unshared.error().message);
    }
    printNote(QStringLiteral("Removed %1 and its cached tokens.").arg(selected.record.username));
    return ExitSuccess;
}

} // namespace

int accounts(const Arguments &a, Profile &profile)
{
    if (a.subcommand == QStringLiteral("restore-cache"))
        return restoreCache(a, profile);
    if (a.subcommand == QStringLiteral("list"))
        return list(a, profile);
    if (a.subcommand == QStringLiteral("import"))
        return import(a, profile);
    if (a.subcommand == QStringLiteral("export") && a.selector.isEmpty())
        return exportAll(a, profile);
    return oneAccount(a, profile);
}

} // namespace azid::cli
