// mdBook's sidebar toggle is a <label> carrying aria-expanded and aria-label,
// which a label may not have; it acts as a button, so it gets that role.
document.getElementById("mdbook-sidebar-toggle")?.setAttribute("role", "button");
