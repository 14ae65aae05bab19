//! The only code that touches the DOM: the widget's layout, its results
//! tables, the ticker, and the panic banner.
//!
//! Every piece of text from the network or from attributes goes in with
//! `set_text_content`: nothing here builds HTML from strings.

mod dom;
mod panic;
mod results;
mod ticker;
mod timeline;
mod widget;

pub use panic::{install_panic_hook, register, unregister};
pub use widget::{error_only, Intent, WidgetState, WidgetView};
