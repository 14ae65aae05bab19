//! "Download trace": the recording as Chrome Trace Event JSON, saved as a
//! file through a Blob URL.

use wasm_bindgen::JsValue;

use super::super::dom;
use super::WidgetView;
use crate::trace::chrome_trace;

impl WidgetView {
    pub(super) fn download_trace(&self) -> Result<(), JsValue> {
        let Some(recorder) = self.recording() else {
            return Ok(());
        };
        let json = recorder.inspect(|runs| chrome_trace(self.lesson, runs));
        let parts = js_sys::Array::of1(&JsValue::from_str(&json));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/json");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob)?;
        let link: web_sys::HtmlAnchorElement = dom::cast(dom::document()?.create_element("a")?, "a link")?;
        link.set_href(&url);
        link.set_download(&format!("async-demo-{}.trace.json", self.lesson));
        link.click();
        web_sys::Url::revoke_object_url(&url)
    }
}
