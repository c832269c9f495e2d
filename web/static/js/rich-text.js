// Rich-text editing on the publishing desk. Trix (vendored, see ../vendor/VENDORED.md) replaces
// each <textarea data-rich-text>, which stays the form field that is posted: without JavaScript
// the same page still works with the textarea. The server sanitises whatever arrives.
(function () {
  var LANG = {
    attachFiles: "插入文件", bold: "加粗", bullets: "项目符号", byte: "字节", captionPlaceholder: "添加说明…",
    code: "代码", heading1: "标题", indent: "增加缩进", italic: "斜体", link: "链接", numbers: "编号",
    outdent: "减少缩进", quote: "引用", redo: "重做", remove: "移除", strike: "删除线", undo: "撤销",
    unlink: "取消链接", url: "网址", urlPlaceholder: "请输入网址…", GB: "GB", KB: "KB", MB: "MB", PB: "PB", TB: "TB"
  };
  var trixUrl = document.currentScript && document.currentScript.dataset.trix;

  function enhance() {
    document.querySelectorAll("textarea[data-rich-text]:not([data-enhanced])").forEach(function (area) {
      area.setAttribute("data-enhanced", "");
      var editor = document.createElement("trix-editor");
      editor.setAttribute("input", area.id);
      editor.setAttribute("role", "textbox");
      editor.setAttribute("aria-multiline", "true");
      if (area.labels && area.labels[0]) {
        editor.setAttribute("aria-label", area.labels[0].textContent.replace("*", "").trim());
      }
      if (area.getAttribute("aria-describedby")) {
        editor.setAttribute("aria-describedby", area.getAttribute("aria-describedby"));
      }
      editor.className = "rich-text";
      area.hidden = true;
      area.insertAdjacentElement("afterend", editor);
    });
  }

  function start() {
    Object.assign(window.Trix.config.lang, LANG);
    enhance();
  }

  // Files go in as attachments of the article (checked on the server), not into the text.
  document.addEventListener("trix-file-accept", function (event) { event.preventDefault(); });
  if (window.Trix) {
    start();
  } else if (trixUrl) {
    var script = document.createElement("script");
    script.src = trixUrl;
    script.onload = start;
    document.head.appendChild(script);
  }
})();
