#pragma once

#include <QIcon>
#include <QString>

class QMessageBox;

namespace azid::ui {

// The icons live in a resource of this static library; a static library's resources are only
// registered when something asks for them.
void initResources();

// An action's icon from the desktop's icon theme (freedesktop names: "list-add", "edit-copy", ...),
// else Azid's own drawing of it (resources/icons/actions/<name>.svg).
QIcon actionIcon(const QString &name);

// A message box is as narrow as its text, and a window manager cuts a title wider than the window:
// makes the box at least as wide as its title needs (with room for the title bar's buttons).
void keepTitleWhole(QMessageBox *box);

} // namespace azid::ui
