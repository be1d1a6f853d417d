#pragma once

namespace azid::ui {

// The icons live in a resource of this static library; a static library's resources are only
// registered when something asks for them.
void initResources();

} // namespace azid::ui
