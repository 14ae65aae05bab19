// mdBook's sidebar toggle is a <label> carrying aria-expanded and aria-label,
// which a label may not have; it acts as a button, so it gets that role.
document.getElementById("mdbook-sidebar-toggle")?.setAttribute("role", "button");

// On a narrow screen, wide code blocks and tables scroll sideways. A region
// that scrolls must be reachable from the keyboard, so each one that
// overflows gets a tab stop (and a table a name); the others get none. In a
// code block the scroller is the highlighted <code> inside the <pre>.
function keyboardScrollable() {
  for (const el of document.querySelectorAll("main pre, main pre > code, main .table-wrapper")) {
    if (el.scrollWidth > el.clientWidth + 1) {
      el.setAttribute("tabindex", "0");
      if (el.classList.contains("table-wrapper")) {
        el.setAttribute("role", "region");
        el.setAttribute("aria-label", "table (scrolls sideways)");
      }
    } else if (el.getAttribute("tabindex") === "0") {
      el.removeAttribute("tabindex");
      el.removeAttribute("role");
      el.removeAttribute("aria-label");
    }
  }
}
keyboardScrollable();
window.addEventListener("resize", keyboardScrollable);
