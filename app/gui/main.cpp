// azid: the tray app. This is the composition root: it puts together the profile's storage (shared
// with azid-cli), the network settings, the browser openers and the clipboard, and hands them to
// the desktop controller, and starts what it serves to local programs (the agent, managed-identity
// endpoints). A second launch only asks the running one to show its window.
#ifdef AZID_WITH_TEST_HOOKS
#include "testhooks.h"
#endif

#include "azid/browseropener.h"
#include "azid/keychain/keychainavailability.h"
#include "azid/keychain/profilestorage.h"
#include "azid/keychain/storagelocation.h"
#include "azid/model/accountservice.h"
#include "azid/model/appsettings.h"
#include "azid/model/embeddedbrowser.h"
#include "azid/model/localtools.h"
#include "azid/ui/desktopcontroller.h"
#include "azid/ui/localtoolscontroller.h"
#include "azid/ui/readablecolors.h"
#include "azid/ui/secretclipboard.h"
#include "azid/ui/singleinstance.h"

#include <QApplication>
#include <QClipboard>
#include <QCommandLineParser>
#include <QDesktopServices>
#include <QLibraryInfo>
#include <QLocale>
#include <QLoggingCategory>
#include <QTimer>
#include <QTranslator>

#include <cstdio>
#include <memory>
#include <optional>

namespace {

enum ExitCode { ExitSuccess = 0, ExitFailure = 1, ExitUsage = 2 };

void printError(const QString &text)
{
    std::fprintf(stderr, "azid: %s\n", text.toLocal8Bit().constData());
}

// $BROWSER when set (as azure.identity honours it), else the desktop's default browser.
azid::BrowserOpener desktopBrowserOpener()
{
    if (!qEnvironmentVariableIsEmpty("BROWSER"))
        return azid::systemBrowserOpener();
    return [](const QUrl &url) { return QDesktopServices::openUrl(url); };
}

// Azid's translations are built into the program under :/i18n (resources/CMakeLists.txt). azid_en is
// always installed: it holds the English plural forms ("1 account", "2 accounts"). The one for the
// system's language, when Azid has it, goes over it, with Qt's own for that language (the dialogs'
// standard buttons, --help).
void installTranslations(QCoreApplication &app)
{
    auto *english = new QTranslator(&app);
    if (english->load(QStringLiteral(":/i18n/azid_en.qm")))
        QCoreApplication::installTranslator(english);
    auto *local = new QTranslator(&app);
    if (!local->load(QLocale(), QStringLiteral("azid"), QStringLiteral("_"), QStringLiteral(":/i18n")) ||
        local->filePath() == english->filePath())
        return;
    QCoreApplication::installTranslator(local);
    auto *qt = new QTranslator(&app);
    if (qt->load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
}

struct Arguments
{
    QString profile;
    bool show = false;
};

// The command line: --profile (else $AZID_PROFILE, else "default"), --show and --verbose; --help and
// --version end the app in here. No arguments, after saying why, when the profile name is not valid.
std::optional<Arguments> parseArguments(QApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "main", "Azid: sign in to Microsoft Entra ID accounts and copy access tokens from the tray."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption profileOption(
        QStringLiteral("profile"),
        QCoreApplication::translate(
            "main", "Keep accounts, tokens and settings apart (default: $AZID_PROFILE or \"default\")."),
        //: The value of --profile in --help
        QCoreApplication::translate("main", "NAME"));
    const QCommandLineOption showOption(
        QStringLiteral("show"),
        QCoreApplication::translate("main", "Show the accounts window (of the running Azid, if any)."));
    const QCommandLineOption verboseOption(QStringLiteral("verbose"),
                                           QCoreApplication::translate("main", "Log what happens."));
    parser.addOptions({profileOption, showOption, verboseOption});
    parser.process(app);

    QLoggingCategory::setFilterRules(parser.isSet(verboseOption) ? QStringLiteral("azid.*.debug=true")
                                                                 : QStringLiteral("azid.*.debug=false"));
    Arguments arguments;
    arguments.show = parser.isSet(showOption);
    arguments.profile =
        parser.isSet(profileOption) ? parser.value(profileOption) : qEnvironmentVariable("AZID_PROFILE");
    if (arguments.profile.isEmpty())
        arguments.profile = QStringLiteral("default");
    if (!azid::isValidProfileName(arguments.profile)) {
        printError(QCoreApplication::translate(
                       "main", "\"%1\" is not a valid profile name: use letters, digits, '.', '_' and '-'.")
                       .arg(arguments.profile));
        return std::nullopt;
    }
    return arguments;
}

// The requests of the single-instance socket: "show", from a second launch, shows the accounts
// window. Only the build for the GUI tests (CMake's AZID_TEST_HOOKS, the azid_testhooks target) has
// the test hooks; started with AZID_TEST_HOOKS=1, it takes their JSON requests there too (testhooks.h).
void answerRequests(azid::ui::SingleInstance &instance, azid::ui::DesktopController &controller,
                    [[maybe_unused]] azid::model::AccountService &service,
                    [[maybe_unused]] azid::ui::SecretClipboard &clipboard)
{
    azid::ui::SingleInstance::Handler hooks;
#ifdef AZID_WITH_TEST_HOOKS
    if (qEnvironmentVariable("AZID_TEST_HOOKS") == QStringLiteral("1")) {
        qWarning("azid: test hooks are on (AZID_TEST_HOOKS=1): the local socket accepts remote control");
        auto testHooks = std::make_shared<azid::app::TestHooks>(&controller, &service, &clipboard);
        hooks = [testHooks](const QByteArray &line) { return testHooks->handle(line); };
    }
#endif
    instance.setHandler([&controller, hooks](const QByteArray &line) -> QByteArray {
        if (line == "show") {
            QTimer::singleShot(0, &controller, &azid::ui::DesktopController::showAccountsWindow);
            return QByteArrayLiteral("ok");
        }
        if (hooks && line.startsWith('{'))
            return hooks(line);
        return QByteArrayLiteral("error: unknown request");
    });
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("azid"));
    QApplication::setApplicationDisplayName(QStringLiteral("Azid"));
    QApplication::setApplicationVersion(QStringLiteral(AZID_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("azid"));
    // Check boxes and radio buttons that stay visible on dark palettes.
    azid::ui::installReadableStyle();
    // Closing the accounts window leaves the tray running; Quit in the tray menu ends the app.
    QApplication::setQuitOnLastWindowClosed(false);
    installTranslations(app);

    const std::optional<Arguments> arguments = parseArguments(app);
    if (!arguments)
        return ExitUsage;
    const QString &profile = arguments->profile;

    azid::ui::SingleInstance instance(profile);
    switch (instance.start()) {
    case azid::ui::SingleInstance::Role::Failed:
        printError(instance.errorString());
        return ExitFailure;
    case azid::ui::SingleInstance::Role::Secondary:
        // Another azid of this profile runs: it shows its window, this one ends.
        QObject::connect(
            &instance, &azid::ui::SingleInstance::replied, &app, [](bool ok, const QByteArray &reply) {
                if (!ok || reply != "ok")
                    printError(QCoreApplication::translate("main", "the running Azid did not answer: %1")
                                   .arg(QString::fromUtf8(reply)));
                QCoreApplication::exit(ok && reply == "ok" ? ExitSuccess : ExitFailure);
            });
        instance.send(QByteArrayLiteral("show"));
        return QApplication::exec();
    case azid::ui::SingleInstance::Role::Primary:
        break;
    }

    azid::model::AppSettings settings(profile);
    // Memory-only means what azid-cli's --memory-only means: nothing is read from or written to the
    // keychain or the disk; accounts and tokens last as long as this process.
    azid::ProfileStorage::Options storageOptions;
    storageOptions.memoryOnly = settings.memoryOnly();
    auto storage = std::make_unique<azid::ProfileStorage>(profile, storageOptions);
    azid::model::AccountService service(std::move(storage));
    service.setHttpOptions(settings.httpOptions());
    service.setBrowserOpener(desktopBrowserOpener());
    service.setEmbeddedBrowser(azid::model::EmbeddedBrowser());
    if (!storageOptions.memoryOnly) {
        // A locked keychain is a state the app shows and waits out; it tells when the keychain opens.
        service.setKeychainWatch(azid::KeychainAvailability::defaultProbe(
                                     profile == QStringLiteral("default") ? QString() : profile),
                                 [] { return azid::KeychainAvailability::requestUnlock(); });
    }

    azid::ui::SecretClipboard clipboard(QApplication::clipboard());
    azid::ui::DesktopController controller(&service, &settings, &clipboard);
    controller.setProgramPath(QCoreApplication::applicationFilePath());
    QObject::connect(&controller, &azid::ui::DesktopController::quitRequested, &app, &QCoreApplication::quit);
    // Whatever ends the app, a token it copied does not stay behind.
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &clipboard, &azid::ui::SecretClipboard::clearNow);

    // What the app serves to the same user's programs: the agent for azid-cli and its helpers, and a
    // managed-identity endpoint for each account the person chose.
    azid::model::LocalTools localTools(service, profile);
    azid::ui::LocalToolsController localToolsController(localTools, settings, clipboard, controller);
    controller.attachLocalTools(&localToolsController);

    answerRequests(instance, controller, service, clipboard);

    controller.start(arguments->show);
    localToolsController.start();
    if (!controller.usesTray())
        QApplication::setQuitOnLastWindowClosed(true); // without a tray, the window is the app
    return QApplication::exec();
}
