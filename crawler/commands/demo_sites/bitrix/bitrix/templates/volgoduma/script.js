var BX = window.BX || {}; BX.message = BX.message || function(){};
