/* Stand-ins for the scripts pkgdown 2.0.7 loads from CDNs, so that the site works without a
   network (see templates/head.html). pkgdown.js calls them as it starts:
   - headroom (hides the navbar on scrolling down): the navbar simply stays;
   - bootstrap-toc (the "On this page" list): built here from the headings;
   - clipboard.js (copy buttons on code): left out, as Font Awesome's icon for them is;
   - the search box (fuse.js, autocomplete.js, mark.js): left out; it is hidden (extra.css),
     since a site opened from files cannot fetch its search index anyway. */
(function ($) {
  "use strict";

  $.fn.headroom = function () { return this; };
  $.fn.autocomplete = function () { return this; };

  window.ClipboardJS = { isSupported: function () { return false; } };
  window.Mark = function () { this.mark = function () {}; };

  function anchorFor($heading) {
    var id = $heading.attr("id") || $heading.closest("div.section, section").attr("id");
    if (!id) {
      id = $heading.text().trim().toLowerCase().replace(/[^a-z0-9]+/g, "-");
      $heading.attr("id", id);
    }
    return id;
  }

  function link($heading) {
    var text = $heading.clone().children(".anchor").remove().end().text().trim();
    return $("<a class='nav-link'>").attr("href", "#" + anchorFor($heading)).text(text);
  }

  /* The headings of the page's main part as a list: h2 at the top level, deeper headings
     nested under the h2 before them, as bootstrap-toc lays them out. */
  window.Toc = {
    init: function (options) {
      var $nav = options.$nav;
      if (!$nav || !$nav.length) return;
      var $top = $("<ul class='nav nav-pills flex-column'>");
      var $current = null;
      options.$scope.each(function () {
        var $heading = $(this);
        if ($heading.closest("#toc").length) return;
        var $item = $("<li class='nav-item'>").append(link($heading));
        if (this.tagName.toLowerCase() === "h2" || !$current) {
          $current = $item;
          $top.append($item);
        } else {
          var $sub = $current.children("ul");
          if (!$sub.length) $sub = $("<ul class='nav nav-pills flex-column'>").appendTo($current);
          $sub.append($item);
        }
      });
      $nav.append($top);
    },
  };
})(window.jQuery);
